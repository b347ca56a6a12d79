import CScoringKernel

/// Scoring loops over raw buffers, so that the server can run them on memory-mapped model files without copying
/// them into arrays: a query against the rows of a row-major `Float` matrix (item similarity's candidates; a served
/// version's ALS scores read `FactorPanels` instead), EASE's history rows, EASE-ALS's blend.
public enum ScoringKernel {
    /// `output[r] = query · rows[r]` for each of the `rows.count / dimension` rows, by the C loop in
    /// `CScoringKernel` (AVX2 and FMA on CPUs that have them). `output` must not overlap the inputs.
    public static func scores(
        query: UnsafeBufferPointer<Float>, rows: UnsafeBufferPointer<Float>, dimension: Int,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(dimension > 0 && query.count == dimension && rows.count % dimension == 0)
        let rowCount = rows.count / dimension
        precondition(output.count >= rowCount, "output needs room for \(rowCount) scores")
        guard rowCount > 0, let q = query.baseAddress, let matrix = rows.baseAddress, let out = output.baseAddress
        else { return }
        concierge_score_rows(q, matrix, rowCount, dimension, out)
    }

    /// `output = Σ weights[r] · matrix row (rows[r] − rowOffset)` over the named rows (each weight 1 when
    /// `weights` is nil; zeros when no row is named): a guest's history times EASE's B, with `columns` (the block's
    /// items) scores in `output`. A row the matrix does not have stops the process.
    public static func sumRows(
        _ rows: UnsafeBufferPointer<Int32>, minus rowOffset: Int, weights: UnsafeBufferPointer<Float>?,
        of matrix: UnsafeBufferPointer<Float>, columns: Int, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(output.count >= columns, "output needs room for \(columns) scores")
        precondition(weights.map { $0.count == rows.count } ?? true, "one weight a row")
        guard let out = output.baseAddress else { return }
        guard let ids = rows.baseAddress, let values = matrix.baseAddress else {
            precondition(rows.isEmpty, "rows within the matrix")
            return UnsafeMutableBufferPointer(rebasing: output[0..<columns]).update(repeating: 0)
        }
        // The kernel checks each row as it takes its address: checked here first, each cost about eight instructions
        // more.
        let withinMatrix = concierge_sum_rows(
            values, matrix.count / max(1, columns), columns, ids, Int32(rowOffset), weights?.baseAddress, rows.count,
            out)
        precondition(withinMatrix, "rows within the matrix")
    }

    /// EASE-ALS's blend: `scores[i] = scores[i] / sd(scores) + weight · others[i] / sd(others)`, each `sd` the
    /// population standard deviation over the buffer, or 1 when it is zero or not finite.
    public static func blend(
        _ scores: UnsafeMutableBufferPointer<Float>, with others: UnsafeBufferPointer<Float>, weight: Float
    ) {
        precondition(others.count == scores.count, "one other score a score")
        guard let out = scores.baseAddress, let other = others.baseAddress else { return }
        concierge_blend(out, other, scores.count, weight)
    }

    /// The `k` best rows of the block, best first, as `TopK.select` orders them: writes their
    /// catalogue indices (`firstRow` + row) and scores and returns how many it wrote.
    /// `scratch` needs room for one score per row; nothing is allocated.
    public static func topK(
        query: UnsafeBufferPointer<Float>, rows: UnsafeBufferPointer<Float>, dimension: Int, k: Int,
        firstRow: Int = 0, excluding: UnsafeBufferPointer<Int32> = UnsafeBufferPointer(start: nil, count: 0),
        scratch: UnsafeMutableBufferPointer<Float>, indices: UnsafeMutableBufferPointer<Int32>,
        scores bestScores: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let rowCount = rows.count / max(1, dimension)
        scores(query: query, rows: rows, dimension: dimension, into: scratch)
        return TopK.select(
            scores: UnsafeBufferPointer(rebasing: scratch[0..<rowCount]), k: k, firstIndex: firstRow,
            excluding: excluding, indices: indices, scores: bestScores)
    }

    /// `topK` with arrays for the scratch and results, resized when too small.
    @discardableResult
    public static func topK(
        query: UnsafeBufferPointer<Float>, rows: UnsafeBufferPointer<Float>, dimension: Int, k: Int,
        firstRow: Int = 0, excluding: [Int32] = [], scratch: inout [Float], indices: inout [Int32],
        scores bestScores: inout [Float]
    ) -> Int {
        let rowCount = rows.count / max(1, dimension)
        if scratch.count < rowCount { scratch.append(contentsOf: repeatElement(0, count: rowCount - scratch.count)) }
        scratch.withUnsafeMutableBufferPointer {
            scores(query: query, rows: rows, dimension: dimension, into: $0)
        }
        return scratch.withUnsafeBufferPointer {
            TopK.select(
                scores: UnsafeBufferPointer(rebasing: $0[0..<rowCount]), k: k, firstIndex: firstRow,
                excluding: excluding, indices: &indices, scores: &bestScores)
        }
    }
}
