/// Scores one query vector against a contiguous block of rows of a row-major `Float` matrix,
/// e.g. a guest's factor against one hotel's item factors. It takes raw buffers so the server
/// can call it on memory-mapped model files without copying them into arrays.
public enum ScoringKernel {
    /// `output[r] = query · rows[r]` for each of the `rows.count / dimension` rows.
    public static func scores(
        query: UnsafeBufferPointer<Float>, rows: UnsafeBufferPointer<Float>, dimension: Int,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(dimension > 0 && query.count == dimension && rows.count % dimension == 0)
        let rowCount = rows.count / dimension
        precondition(output.count >= rowCount, "output needs room for \(rowCount) scores")
        guard rowCount > 0, let q = query.baseAddress, let matrix = rows.baseAddress, let out = output.baseAddress
        else { return }
        if dimension % 8 == 0 && dimension <= 64 {
            scoreAligned(q, matrix, rowCount, dimension, out)
        } else {
            for row in 0..<rowCount { out[row] = VectorKernels.dot(q, matrix + row * dimension, dimension) }
        }
    }

    /// `output += weight · row`: one item's row of EASE's B added to a guest's scores.
    public static func addScaled(
        _ weight: Float, row: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(output.count >= row.count, "output needs room for \(row.count) scores")
        guard let x = row.baseAddress, let y = output.baseAddress else { return }
        VectorKernels.axpy(weight, x, y, row.count)
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

    /// Dimensions that are a multiple of eight up to 64: the query is read into at most eight vectors once, and
    /// each row costs one multiply and add per eight values.
    private static func scoreAligned(
        _ query: UnsafePointer<Float>, _ matrix: UnsafePointer<Float>, _ rowCount: Int, _ dimension: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        let chunks = dimension / 8
        var q: Query = (
            SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
            SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()
        )
        withUnsafeMutableBytes(of: &q) { bytes in
            let vectors = bytes.bindMemory(to: SIMD8<Float>.self)
            for chunk in 0..<chunks { vectors[chunk] = VectorKernels.load(query + 8 * chunk) }
        }
        // A loop for each number of chunks, compiled with it as a constant: no branch per row and chunk (a
        // quarter of the instructions at 16 factors).
        switch chunks {
        case 1: scoreRows(q, chunks: 1, matrix, rowCount, dimension, out)
        case 2: scoreRows(q, chunks: 2, matrix, rowCount, dimension, out)
        case 3: scoreRows(q, chunks: 3, matrix, rowCount, dimension, out)
        case 4: scoreRows(q, chunks: 4, matrix, rowCount, dimension, out)
        case 5: scoreRows(q, chunks: 5, matrix, rowCount, dimension, out)
        case 6: scoreRows(q, chunks: 6, matrix, rowCount, dimension, out)
        case 7: scoreRows(q, chunks: 7, matrix, rowCount, dimension, out)
        default: scoreRows(q, chunks: 8, matrix, rowCount, dimension, out)
        }
    }

    /// The query, eight values per vector; the vectors past its dimension are unused.
    private typealias Query = (
        SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>
    )

    /// Two accumulators, alternating chunks, summed pairwise at the end.
    @inline(__always)
    private static func scoreRows(
        _ q: Query, chunks: Int, _ matrix: UnsafePointer<Float>, _ rowCount: Int, _ dimension: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        let (q0, q1, q2, q3, q4, q5, q6, q7) = q
        var row = matrix
        for index in 0..<rowCount {
            var first = q0 * VectorKernels.load(row)
            var second = chunks > 1 ? q1 * VectorKernels.load(row + 8) : SIMD8<Float>()
            if chunks > 2 { first += q2 * VectorKernels.load(row + 16) }
            if chunks > 3 { second += q3 * VectorKernels.load(row + 24) }
            if chunks > 4 { first += q4 * VectorKernels.load(row + 32) }
            if chunks > 5 { second += q5 * VectorKernels.load(row + 40) }
            if chunks > 6 { first += q6 * VectorKernels.load(row + 48) }
            if chunks > 7 { second += q7 * VectorKernels.load(row + 56) }
            out[index] = VectorKernels.horizontalSum(chunks > 1 ? first + second : first)
            row += dimension
        }
    }
}
