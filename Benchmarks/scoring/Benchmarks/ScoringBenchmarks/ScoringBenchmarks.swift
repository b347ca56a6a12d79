import Benchmark
import ConciergeModel

/// Top-10 of one query against a hotel-sized and a chain-sized block of 64-factor items, the work
/// of one ALS request once the filters are applied (the scratch is reused, as a request's
/// temporary allocation is).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds,
        maxDuration: .seconds(5), maxIterations: 100_000)

    for items in [10_000, 100_000] {
        let factors = 64
        let matrix = ScoringData.matrix(rows: items, columns: factors, seed: 1)
        let queries = (0..<64).map { ScoringData.matrix(rows: 1, columns: factors, seed: 100 + UInt64($0)) }
        Benchmark("top-10 of \(items) items × \(factors) factors") { benchmark in
            var scratch = [Float](repeating: 0, count: items)
            var indices = [Int32](repeating: 0, count: 10)
            var scores = [Float](repeating: 0, count: 10)
            matrix.withUnsafeBufferPointer { rows in
                for iteration in benchmark.scaledIterations {
                    queries[iteration % queries.count].withUnsafeBufferPointer { query in
                        blackHole(
                            ScoringKernel.topK(
                                query: query, rows: rows, dimension: factors, k: 10, scratch: &scratch,
                                indices: &indices, scores: &scores))
                    }
                }
            }
        }
    }
}
