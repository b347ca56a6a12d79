import Benchmark
import ConciergeModel

/// Top-10 of one query against a menu-sized, a hotel-sized and a chain-sized block of 64-factor items, the work
/// of one ALS request once the filters are applied (the scratch is reused, as a request's
/// temporary allocation is): from the rows, and from the panels `Ranker` scores a served version from.
let benchmarks: @Sendable () -> Void = {
    for items in [128, 10_000, 100_000] {
        // A menu's top-10 takes about a microsecond, which is read in nanoseconds.
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal], timeUnits: items < 1_000 ? .nanoseconds : .microseconds,
            maxDuration: .seconds(5), maxIterations: 100_000)
        let factors = 64
        let matrix = ScoringData.matrix(rows: items, columns: factors, seed: 1)
        let queries = (0..<64).map { ScoringData.matrix(rows: 1, columns: factors, seed: 100 + UInt64($0)) }
        Benchmark("top-10 of \(items) items × \(factors) factors", configuration: configuration) { benchmark in
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
        let panels = matrix.withUnsafeBufferPointer { FactorPanels(rows: $0, dimension: factors, threads: 1) }
        Benchmark("top-10 of \(items) items × \(factors) factors, from panels", configuration: configuration) {
            benchmark in
            var scratch = [Float](repeating: 0, count: items)
            var indices = [Int32](repeating: 0, count: 10)
            var scores = [Float](repeating: 0, count: 10)
            for iteration in benchmark.scaledIterations {
                queries[iteration % queries.count].withUnsafeBufferPointer { query in
                    scratch.withUnsafeMutableBufferPointer { panels.scores(query: query, items: 0..<items, into: $0) }
                }
                blackHole(
                    scratch.withUnsafeBufferPointer {
                        TopK.select(scores: $0, k: 10, indices: &indices, scores: &scores)
                    })
            }
        }
    }
}
