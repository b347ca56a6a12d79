/// Splits guests × items interactions into training and held-out parts per guest, so every
/// guest with two or more items is evaluated and keeps something to be recommended from.
///
/// Unlike implicit's `train_test_split` (an independent coin per interaction), each guest with
/// `n ≥ 2` items holds out `min(n − 1, max(1, round(n · testFraction)))` of them, chosen
/// uniformly; a guest with a single item keeps it in training. The same seed gives the same split.
public enum TrainTestSplit {
    public static func split(
        _ userItems: SparseMatrix, testFraction: Double = 0.2, seed: UInt64
    ) -> (train: SparseMatrix, test: SparseMatrix) {
        precondition(testFraction >= 0 && testFraction < 1)
        var generator = SplitMix64(seed: seed)
        var train: [SparseMatrix.Entry] = []
        var test: [SparseMatrix.Entry] = []
        train.reserveCapacity(userItems.nonZeroCount)
        for user in 0..<userItems.rows {
            var positions = Array(userItems.rowRange(user))
            let count = positions.count
            let heldOut =
                count < 2 || testFraction == 0
                ? 0 : min(count - 1, max(1, Int((Double(count) * testFraction).rounded())))
            // A partial Fisher–Yates shuffle: the first `heldOut` positions are the sample.
            for index in 0..<heldOut {
                let other = index + Int(generator.next(upperBound: UInt64(count - index)))
                positions.swapAt(index, other)
            }
            for (rank, position) in positions.enumerated() {
                let entry = SparseMatrix.Entry(
                    row: user, column: Int(userItems.columnIndices[position]), value: userItems.values[position])
                if rank < heldOut { test.append(entry) } else { train.append(entry) }
            }
        }
        return (
            SparseMatrix(rows: userItems.rows, columns: userItems.columns, entries: train),
            SparseMatrix(rows: userItems.rows, columns: userItems.columns, entries: test)
        )
    }
}
