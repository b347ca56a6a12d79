/// The inner loops of training and scoring on raw `Float` pointers.
///
/// Everything is written with plain `SIMD8<Float>` multiplies and adds, never `addProduct`:
/// on the baseline x86-64 target (no FMA) `addProduct` lowers to one libm `fmaf` call per lane,
/// which measured 13× slower than a multiply followed by an add. Sums use two accumulators and
/// a pairwise horizontal reduction so that the loops keep two independent dependency chains.
@usableFromInline
enum VectorKernels {
    @inline(__always) @usableFromInline
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    static func store(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
    }

    /// Four-wide loads and stores for the tail of a length that is not a multiple of eight
    /// (100 factors = 12 × 8 + 4), which would otherwise run one value at a time.
    @inline(__always) @usableFromInline
    static func load4(_ pointer: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) @usableFromInline
    static func store4(_ vector: SIMD4<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD4<Float>.self)
    }

    /// Adds a Float partial sum into a Double total.
    @inline(__always)
    static func add<Vector: SIMD<Float>>(_ vector: Vector, into total: UnsafeMutablePointer<Double>) {
        for lane in vector.indices { total[lane] += Double(vector[lane]) }
    }

    @inline(__always) @usableFromInline
    static func horizontalSum(_ vector: SIMD4<Float>) -> Float {
        let two = vector.lowHalf + vector.highHalf
        return two[0] + two[1]
    }

    /// `a · b` over `count` values.
    @inline(__always) @usableFromInline
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var first = SIMD8<Float>()
        var second = SIMD8<Float>()
        var index = 0
        while index + 16 <= count {
            first += load(a + index) * load(b + index)
            second += load(a + index + 8) * load(b + index + 8)
            index += 16
        }
        if index + 8 <= count {
            first += load(a + index) * load(b + index)
            index += 8
        }
        let eight = first + second
        var four = eight.lowHalf + eight.highHalf
        if index + 4 <= count {
            four += load4(a + index) * load4(b + index)
            index += 4
        }
        var sum = horizontalSum(four)
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }

    /// `(a · x, b · x)`, with each sum formed exactly as `dot` forms it: two rows against the
    /// same vector share its loads.
    @inline(__always) @usableFromInline
    static func dot2(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int
    ) -> (Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
        var index = 0
        while index + 16 <= count {
            let x0 = load(x + index), x1 = load(x + index + 8)
            a0 += load(a + index) * x0
            a1 += load(a + index + 8) * x1
            b0 += load(b + index) * x0
            b1 += load(b + index + 8) * x1
            index += 16
        }
        if index + 8 <= count {
            let x0 = load(x + index)
            a0 += load(a + index) * x0
            b0 += load(b + index) * x0
            index += 8
        }
        let eightA = a0 + a1, eightB = b0 + b1
        var fourA = eightA.lowHalf + eightA.highHalf
        var fourB = eightB.lowHalf + eightB.highHalf
        if index + 4 <= count {
            let x0 = load4(x + index)
            fourA += load4(a + index) * x0
            fourB += load4(b + index) * x0
            index += 4
        }
        var sumA = horizontalSum(fourA)
        var sumB = horizontalSum(fourB)
        while index < count {
            sumA += a[index] * x[index]
            sumB += b[index] * x[index]
            index += 1
        }
        return (sumA, sumB)
    }

    /// `y += alphaA · a`, then `y += alphaB · b`, rounding as two `axpy` calls do but reading and
    /// writing `y` once.
    @inline(__always) @usableFromInline
    static func axpy2(
        _ alphaA: Float, _ a: UnsafePointer<Float>, _ alphaB: Float, _ b: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        let scaleA = SIMD8<Float>(repeating: alphaA), scaleB = SIMD8<Float>(repeating: alphaB)
        var index = 0
        while index + 8 <= count {
            store((load(y + index) + scaleA * load(a + index)) + scaleB * load(b + index), y + index)
            index += 8
        }
        if index + 4 <= count {
            store4(
                (load4(y + index) + scaleA.lowHalf * load4(a + index)) + scaleB.lowHalf * load4(b + index), y + index)
            index += 4
        }
        while index < count {
            y[index] = (y[index] + alphaA * a[index]) + alphaB * b[index]
            index += 1
        }
    }

    /// `y += alpha · x` over `count` values.
    @inline(__always) @usableFromInline
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let scale = SIMD8<Float>(repeating: alpha)
        var index = 0
        while index + 8 <= count {
            store(load(y + index) + scale * load(x + index), y + index)
            index += 8
        }
        if index + 4 <= count {
            store4(load4(y + index) + scale.lowHalf * load4(x + index), y + index)
            index += 4
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// `y = x + beta · y` over `count` values: the conjugate-gradient direction update.
    @inline(__always) @usableFromInline
    static func xpby(_ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let scale = SIMD8<Float>(repeating: beta)
        var index = 0
        while index + 8 <= count {
            store(load(x + index) + scale * load(y + index), y + index)
            index += 8
        }
        if index + 4 <= count {
            store4(load4(x + index) + scale.lowHalf * load4(y + index), y + index)
            index += 4
        }
        while index < count {
            y[index] = x[index] + beta * y[index]
            index += 1
        }
    }

    /// `result = scale · (matrix · x)` for a symmetric `count × count` row-major matrix.
    ///
    /// Computed as a sum of the matrix's rows weighted by `x`, eight or sixteen output values
    /// at a time, so the partial results stay in registers and no horizontal sums are needed.
    @inline(__always) @usableFromInline
    static func symmetricMultiply(
        _ matrix: UnsafePointer<Float>, _ x: UnsafePointer<Float>, scale: Float,
        _ result: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        var column = 0
        while column + 16 <= count {
            var first = SIMD8<Float>()
            var second = SIMD8<Float>()
            var row = matrix + column
            for k in 0..<count {
                let weight = SIMD8<Float>(repeating: x[k])
                first += weight * load(row)
                second += weight * load(row + 8)
                row += count
            }
            let factor = SIMD8<Float>(repeating: scale)
            store(factor * first, result + column)
            store(factor * second, result + column + 8)
            column += 16
        }
        if column + 8 <= count {
            var first = SIMD8<Float>()
            var row = matrix + column
            for k in 0..<count {
                first += SIMD8<Float>(repeating: x[k]) * load(row)
                row += count
            }
            store(SIMD8<Float>(repeating: scale) * first, result + column)
            column += 8
        }
        if column + 4 <= count {
            var first = SIMD4<Float>()
            var row = matrix + column
            for k in 0..<count {
                first += SIMD4<Float>(repeating: x[k]) * load4(row)
                row += count
            }
            store4(SIMD4<Float>(repeating: scale) * first, result + column)
            column += 4
        }
        while column < count {
            var sum: Float = 0
            for k in 0..<count { sum += x[k] * matrix[k * count + column] }
            result[column] = scale * sum
            column += 1
        }
    }

    /// Computes the output rows of `YᵀY` in tile `rowTile` (four rows per tile) for
    /// the `rows × columns` row-major matrix `y`, writing only the upper triangle (`column >= row`)
    /// tile by tile; `mirrorLowerTriangle` fills the rest once every tile is done.
    ///
    /// Each tile is four output rows × eight output columns held in registers while all the
    /// rows of `y` stream past, in runs short enough to stay in L1. A run sums in Float, in SIMD;
    /// the runs are added in Double, so a million rows lose no more precision than 128 do.
    static func gramUpperTiles(
        _ y: UnsafePointer<Float>, rows: Int, columns: Int, rowTile: Int,
        into result: UnsafeMutablePointer<Double>
    ) {
        let firstRow = rowTile * 4
        let tileRows = min(4, columns - firstRow)
        let run = 128
        // Zero the output rows first: the runs below add into them.
        for row in firstRow..<(firstRow + tileRows) {
            (result + row * columns).update(repeating: 0, count: columns)
        }
        var start = 0
        while start < rows {
            let end = min(rows, start + run)
            var column = (firstRow / 8) * 8
            while column < columns {
                if column + 8 <= columns && tileRows == 4 {
                    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                    var row = y + start * columns
                    for _ in start..<end {
                        let chunk = load(row + column)
                        a0 += SIMD8<Float>(repeating: row[firstRow]) * chunk
                        a1 += SIMD8<Float>(repeating: row[firstRow + 1]) * chunk
                        a2 += SIMD8<Float>(repeating: row[firstRow + 2]) * chunk
                        a3 += SIMD8<Float>(repeating: row[firstRow + 3]) * chunk
                        row += columns
                    }
                    let out = result + firstRow * columns + column
                    add(a0, into: out)
                    add(a1, into: out + columns)
                    add(a2, into: out + 2 * columns)
                    add(a3, into: out + 3 * columns)
                    column += 8
                } else if column + 4 <= columns && tileRows == 4 {
                    var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), a2 = SIMD4<Float>(), a3 = SIMD4<Float>()
                    var row = y + start * columns
                    for _ in start..<end {
                        let chunk = load4(row + column)
                        a0 += SIMD4<Float>(repeating: row[firstRow]) * chunk
                        a1 += SIMD4<Float>(repeating: row[firstRow + 1]) * chunk
                        a2 += SIMD4<Float>(repeating: row[firstRow + 2]) * chunk
                        a3 += SIMD4<Float>(repeating: row[firstRow + 3]) * chunk
                        row += columns
                    }
                    let out = result + firstRow * columns + column
                    add(a0, into: out)
                    add(a1, into: out + columns)
                    add(a2, into: out + 2 * columns)
                    add(a3, into: out + 3 * columns)
                    column += 4
                } else {
                    // Ragged edge (fewer than four rows or columns left): scalar.
                    let width = min(8, columns - column)
                    for outRow in firstRow..<(firstRow + tileRows) {
                        for outColumn in column..<(column + width) {
                            var sum: Float = 0
                            for item in start..<end {
                                sum += y[item * columns + outRow] * y[item * columns + outColumn]
                            }
                            result[outRow * columns + outColumn] += Double(sum)
                        }
                    }
                    column += width
                }
            }
            start = end
        }
    }

    /// Copies the upper triangle of a square row-major matrix onto its lower triangle.
    static func mirrorLowerTriangle(_ matrix: UnsafeMutablePointer<Double>, _ count: Int) {
        for row in 0..<count {
            for column in 0..<row {
                matrix[row * count + column] = matrix[column * count + row]
            }
        }
    }
}
