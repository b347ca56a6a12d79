import ConciergeModel
import Foundation

// Times ScoringKernel.topK on every query of a float32 file against a float32 matrix file (both
// row-major, no header, as compare_faiss.py writes them), one query at a time as the server does.
// Prints the median microseconds per query and writes each query's top-k item indices, so the
// script can check that every implementation returned the same items.
//
// scoring-compare MATRIX QUERIES DIMENSION K PASSES IDS_OUT

let arguments = CommandLine.arguments
guard arguments.count == 7, let dimension = Int(arguments[3]), let k = Int(arguments[4]),
    let passes = Int(arguments[5]), dimension > 0, k > 0, passes > 0
else {
    FileHandle.standardError.write(Data("usage: scoring-compare MATRIX QUERIES DIMENSION K PASSES IDS_OUT\n".utf8))
    exit(2)
}

func floats(atPath path: String) -> [Float] {
    guard let data = FileManager.default.contents(atPath: path), data.count % (4 * dimension) == 0 else {
        FileHandle.standardError.write(Data("cannot read \(path) as rows of \(dimension) float32\n".utf8))
        exit(1)
    }
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

let matrix = floats(atPath: arguments[1])
let queries = floats(atPath: arguments[2])
let queryCount = queries.count / dimension
var scratch = [Float](repeating: 0, count: matrix.count / dimension)
var indices = [Int32](repeating: 0, count: k)
var scores = [Float](repeating: 0, count: k)
var best = [Int32](repeating: -1, count: queryCount * k)
var durations: [Duration] = []
durations.reserveCapacity(queryCount * passes)
let clock = ContinuousClock()

matrix.withUnsafeBufferPointer { rows in
    // The first pass warms caches and pages and is not timed.
    for pass in 0...passes {
        for query in 0..<queryCount {
            queries.withUnsafeBufferPointer { all in
                let vector = UnsafeBufferPointer(rebasing: all[(query * dimension)..<((query + 1) * dimension)])
                let start = clock.now
                let found = ScoringKernel.topK(
                    query: vector, rows: rows, dimension: dimension, k: k, scratch: &scratch, indices: &indices,
                    scores: &scores)
                let elapsed = clock.now - start
                if pass > 0 { durations.append(elapsed) }
                for position in 0..<found { best[query * k + position] = indices[position] }
            }
        }
    }
}

durations.sort()
let median = durations[durations.count / 2]
let microseconds = Double(median.components.attoseconds) / 1e12 + Double(median.components.seconds) * 1e6
guard FileManager.default.createFile(atPath: arguments[6], contents: best.withUnsafeBytes { Data($0) }) else {
    FileHandle.standardError.write(Data("cannot write \(arguments[6])\n".utf8))
    exit(1)
}
print(String(format: "%.3f", microseconds))
