// `ease-fit`: EASE's fit time for one hotel of a given menu size, on generated orders.
import ConciergeModel
import Foundation

/// Fits EASE for one hotel of each size in `sizes` (items), with 10 guests per item who order 8 items each, from
/// a long-tailed menu, and prints the wall time and the size of B in Float. The Gram matrix is the cheap part;
/// the time is the Cholesky factorisation and the inverse, which grow as n³.
func easeFitTiming(sizes: [Int], threads: Int) {
    for items in sizes {
        var generator = SplitMix64(seed: UInt64(items))
        let guests = 10 * items
        var entries: [SparseMatrix.Entry] = []
        for guest in 0..<guests {
            for _ in 0..<8 {
                // Squaring a uniform number makes the first items the popular ones.
                let uniform = generator.nextUnitFloat()
                let item = min(items - 1, Int(uniform * uniform * Float(items)))
                entries.append(.init(row: guest, column: item, value: 1 + Float(generator.next() % 3)))
            }
        }
        let matrix = SparseMatrix(rows: guests, columns: items, entries: entries)
        let (ease, elapsed) = timed {
            EASE(
                userItems: matrix, blocks: [0..<items], configuration: .init(lambda: 100, input: .binary),
                threads: threads)
        }
        let megabytes = Double(ease.weights.count * MemoryLayout<Float>.size) / 1_000_000
        print(
            "EASE fit, \(items) items, \(guests) guests, \(matrix.nonZeroCount) entries, \(threads) threads: "
                + "\(String(format: "%.3f", elapsed)) s; B \(String(format: "%.1f", megabytes)) MB in Float")
    }
}
