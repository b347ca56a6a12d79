import CScoringKernel

/// Item factors rearranged for scoring a run of items against one query: panels of eight items, each holding
/// the eight items' first factor, then their second, and so on.
///
/// Row by row, a score is a dot product whose eight lanes must then be summed across; in a panel, eight items
/// take one fused multiply-add a factor and no sum across lanes, about half the instructions at 16 factors and
/// a third at 32. The cost is a second copy of the factors in memory, made once when a version loads.
public final class FactorPanels: Sendable {
    public let itemCount: Int
    public let dimension: Int
    /// Panel `p` is `values[p · 8 · dimension ..< (p + 1) · 8 · dimension]`, factor-major; the last panel's
    /// lanes past `itemCount` are zero.
    private let values: [Float]

    /// Panels of the row-major `rows` (`rows.count / dimension` items), rearranged by `threads` threads, eight
    /// rows' eight factors at a time (the C loop `concierge_make_panels`).
    public init(rows: UnsafeBufferPointer<Float>, dimension: Int, threads: Int) {
        precondition(dimension > 0 && rows.count % dimension == 0, "whole rows of \(dimension) factors")
        let itemCount = rows.count / dimension
        let panelCount = (itemCount + 7) / 8
        let panelSize = 8 * dimension
        self.itemCount = itemCount
        self.dimension = dimension
        values = [Float](unsafeUninitializedCapacity: panelCount * panelSize) { panels, initialized in
            if let source = rows.baseAddress, let target = panels.baseAddress {
                ParallelLoop.forEachChunk(count: panelCount, chunkSize: 4096, threads: threads) { chunk in
                    let firstItem = chunk.lowerBound * 8
                    concierge_make_panels(
                        source + firstItem * dimension, min(itemCount, chunk.upperBound * 8) - firstItem, dimension,
                        target + chunk.lowerBound * panelSize)
                }
            }
            initialized = panelCount * panelSize
        }
    }

    /// `output[i] = query · factors of item items.lowerBound + i`, for each item of `items`.
    public func scores(
        query: UnsafeBufferPointer<Float>, items: Range<Int>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(query.count == dimension && items.lowerBound >= 0 && items.upperBound <= itemCount)
        precondition(output.count >= items.count, "output needs room for \(items.count) scores")
        guard !items.isEmpty, let q = query.baseAddress, let out = output.baseAddress else { return }
        values.withUnsafeBufferPointer { panels in
            concierge_score_panels(q, panels.baseAddress!, dimension, items.lowerBound, items.count, out)
        }
    }
}
