// `kernels`: the scoring kernel's speed against a scalar loop and a SIMD16 `addProduct` loop.
import ConciergeModel
import Foundation

/// Scores one 64-dimension query against 1682 item rows many times with ScoringKernel, a scalar
/// loop and a SIMD16 `addProduct` loop, to show that the kernel is vectorised (and why it avoids
/// `addProduct`: without FMA in the target it becomes a libm `fmaf` call per lane).
func kernels() {
    var generator = SplitMix64(seed: 1)
    let rows = 1682, dimension = 64, repeats = 2000
    let matrix = (0..<(rows * dimension)).map { _ in generator.nextUnitFloat() - 0.5 }
    let query = (0..<dimension).map { _ in generator.nextUnitFloat() - 0.5 }
    var output = [Float](repeating: 0, count: rows)
    let clock = ContinuousClock()
    func report(_ name: String, _ body: () -> Void) {
        let start = clock.now
        body()
        let elapsed = seconds(clock.now - start)
        let flops = 2.0 * Double(rows * dimension * repeats)
        print("\(name): \(String(format: "%.2f", flops / elapsed / 1e9)) GFLOP/s, checksum \(output.reduce(0, +))")
    }
    query.withUnsafeBufferPointer { query in
        matrix.withUnsafeBufferPointer { matrix in
            report("ScoringKernel.scores (SIMD8 multiply + add)") {
                for _ in 0..<repeats {
                    output.withUnsafeMutableBufferPointer {
                        ScoringKernel.scores(query: query, rows: matrix, dimension: dimension, into: $0)
                    }
                }
            }
            report("scalar loop") {
                for _ in 0..<repeats {
                    for row in 0..<rows {
                        var sum: Float = 0
                        for column in 0..<dimension { sum += query[column] * matrix[row * dimension + column] }
                        output[row] = sum
                    }
                }
            }
            report("SIMD16 addProduct") {
                for _ in 0..<repeats {
                    for row in 0..<rows {
                        var sum = SIMD16<Float>()
                        for chunk in stride(from: 0, to: dimension, by: 16) {
                            let q = UnsafeRawPointer(query.baseAddress! + chunk).loadUnaligned(as: SIMD16<Float>.self)
                            let m = UnsafeRawPointer(matrix.baseAddress! + row * dimension + chunk)
                                .loadUnaligned(as: SIMD16<Float>.self)
                            sum.addProduct(q, m)
                        }
                        output[row] = sum.sum()
                    }
                }
            }
        }
    }
}
