// The Swift half of compare_implicit.sh: splits the planted matrix, trains ConciergeModel's
// models on it, and scores both ours and implicit's (from the files its Python half wrote)
// with ConciergeModel's RankingMetrics.
import ConciergeModel
import Foundation

struct Hyper: Decodable {
    let factors: Int
    let regularization: Float
    let alpha: Float
    let iterations: Int
    let cgSteps: Int
    let threads: Int
    let seed: UInt64
    let k: Int
    let neighbours: Int
    let testFraction: Double

    enum CodingKeys: String, CodingKey {
        case factors, regularization, alpha, iterations, threads, seed, k, neighbours
        case cgSteps = "cg_steps", testFraction = "test_fraction"
    }
}

struct Shape: Decodable {
    let users: Int
    let items: Int
}

enum BenchError: Error, CustomStringConvertible {
    case usage, badLine(String, Int)
    var description: String {
        switch self {
        case .usage:
            "usage: concierge-training-bench split|train|same-start|time-als --data DIR "
                + "[--runs N | --threads T --seed S], or concierge-training-bench kernels"
        case .badLine(let file, let line): "\(file): cannot read line \(line)"
        }
    }
}

func readTriples(_ path: String, rows: Int, columns: Int) throws -> SparseMatrix {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var entries: [SparseMatrix.Entry] = []
    for (number, line) in text.split(separator: "\n").enumerated().dropFirst() {
        let fields = line.split(separator: ",")
        guard fields.count == 3, let row = Int(fields[0]), let column = Int(fields[1]), let value = Float(fields[2])
        else { throw BenchError.badLine(path, number + 1) }
        entries.append(.init(row: row, column: column, value: value))
    }
    return SparseMatrix(rows: rows, columns: columns, entries: entries)
}

func writeTriples(_ matrix: SparseMatrix, to path: String) throws {
    var text = "user,item,value\n"
    for row in 0..<matrix.rows {
        for index in matrix.rowRange(row) {
            text += "\(row),\(matrix.columnIndices[index]),\(matrix.values[index])\n"
        }
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Row-major little-endian Float32 after an Int64 rows, columns header.
func writeFactors(_ matrix: DenseMatrix, to path: String) throws {
    var data = Data()
    withUnsafeBytes(of: Int64(matrix.rows).littleEndian) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: Int64(matrix.columns).littleEndian) { data.append(contentsOf: $0) }
    matrix.values.withUnsafeBytes { data.append(contentsOf: $0) }
    try data.write(to: URL(fileURLWithPath: path))
}

func readFactors(_ path: String) throws -> DenseMatrix {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let rows = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: Int64.self) })
    let columns = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) })
    let values = data.withUnsafeBytes { bytes in
        (0..<(rows * columns)).map { bytes.loadUnaligned(fromByteOffset: 16 + 4 * $0, as: Float.self) }
    }
    return DenseMatrix(rows: rows, columns: columns, values: values)
}

func history(_ matrix: SparseMatrix, _ user: Int) -> [Int] {
    matrix.rowRange(user).map { Int(matrix.columnIndices[$0]) }
}

func json(_ metrics: RankingMetrics) -> [String: Double] {
    [
        "precision": metrics.precision, "map": metrics.meanAveragePrecision, "ndcg": metrics.ndcg,
        "auc": metrics.auc, "coverage": metrics.coverage,
    ]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func format(_ value: Double) -> String {
    String(format: "%.4f", value)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

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

func main() throws {
    let arguments = CommandLine.arguments
    if arguments.count == 2 && arguments[1] == "kernels" {
        kernels()
        return
    }
    guard arguments.count >= 4, arguments[2] == "--data" else { throw BenchError.usage }
    let directory = arguments[3]
    let runs = arguments.count >= 6 && arguments[4] == "--runs" ? Int(arguments[5]) ?? 3 : 3
    func path(_ name: String) -> String { directory + "/" + name }
    let decoder = JSONDecoder()
    let hyper = try decoder.decode(Hyper.self, from: Data(contentsOf: URL(fileURLWithPath: path("hyper.json"))))
    let shape = try decoder.decode(Shape.self, from: Data(contentsOf: URL(fileURLWithPath: path("shape.json"))))

    switch arguments[1] {
    case "split":
        let matrix = try readTriples(path("interactions.csv"), rows: shape.users, columns: shape.items)
        let (train, test) = TrainTestSplit.split(matrix, testFraction: hyper.testFraction, seed: hyper.seed)
        try writeTriples(train, to: path("train.csv"))
        try writeTriples(test, to: path("test.csv"))
        FileHandle.standardError.write(Data("split: \(train.nonZeroCount) train, \(test.nonZeroCount) test\n".utf8))

    case "train":
        let train = try readTriples(path("train.csv"), rows: shape.users, columns: shape.items)
        let test = try readTriples(path("test.csv"), rows: shape.users, columns: shape.items)
        let clock = ContinuousClock()
        var report: [String: Any] = [:]

        // Timed on one thread and on the configured number, as the Python side does.
        var byThreads: [String: [Double]] = [:]
        var bySeed: [[String: Double]] = []
        var model: ALSModel?
        for threads in Set([1, hyper.threads]).sorted() {
            var times: [Double] = []
            for run in 0..<runs {
                let configuration = ImplicitALS.Configuration(
                    factors: hyper.factors, regularization: hyper.regularization, alpha: hyper.alpha,
                    iterations: hyper.iterations, cgSteps: hyper.cgSteps, seed: hyper.seed + UInt64(run),
                    threads: threads, confidence: .implicitLibrary)
                let start = clock.now
                let trained = ImplicitALS(configuration: configuration).fit(userItems: train)
                times.append(seconds(clock.now - start))
                if threads == hyper.threads {
                    model = trained
                    bySeed.append(json(RankingMetrics.evaluate(k: hyper.k, test: test) { user in
                        trained.recommend(user: user, k: hyper.k, exclude: history(train, user)).map(\.item)
                    }))
                }
            }
            byThreads[String(threads)] = times
        }
        var times = byThreads[String(hyper.threads)]!
        let als = model!
        let alsMetrics = RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            als.recommend(user: user, k: hyper.k, exclude: history(train, user)).map(\.item)
        }
        report["als"] = [
            "seconds": times, "median": median(times), "by_threads": byThreads, "metrics": json(alsMetrics),
            "by_seed": bySeed,
        ]
        let alsSeconds = times
        // Training loss of the final factors, for the report to check against implicit's calculate_loss.
        report["als_loss"] = ImplicitALS(configuration: .init(
            factors: hyper.factors, regularization: hyper.regularization, alpha: hyper.alpha, threads: hyper.threads,
            confidence: .implicitLibrary)).loss(userItems: train, userFactors: als.userFactors, itemFactors: als.itemFactors)
        try writeFactors(als.userFactors, to: path("concierge_user_factors.f32"))
        try writeFactors(als.itemFactors, to: path("concierge_item_factors.f32"))

        let theirs = try ALSModel(
            userFactors: readFactors(path("implicit_user_factors.f32")),
            itemFactors: readFactors(path("implicit_item_factors.f32")), regularization: hyper.regularization,
            alpha: hyper.alpha, confidence: .implicitLibrary)
        report["implicit_als_metrics"] = json(RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            theirs.recommend(user: user, k: hyper.k, exclude: history(train, user)).map(\.item)
        })

        times = []
        var similarity: SparseMatrix?
        for _ in 0..<runs {
            let start = clock.now
            similarity = ItemSimilarity.cosine(userItems: train, neighbours: hyper.neighbours, threads: hyper.threads)
            times.append(seconds(clock.now - start))
        }
        let itemItem = ItemItemModel(similarity: similarity!)
        let cosineMetrics = RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            itemItem.recommend(user: user, userItems: train, k: hyper.k).map(\.item)
        }
        report["cosine"] = ["seconds": times, "median": median(times), "metrics": json(cosineMetrics)]
        try writeTriples(similarity!, to: path("concierge_similarity.csv"))

        let theirCosine = try ItemItemModel(
            similarity: readTriples(path("implicit_similarity.csv"), rows: shape.items, columns: shape.items))
        report["implicit_cosine_metrics"] = json(RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            theirCosine.recommend(user: user, userItems: train, k: hyper.k).map(\.item)
        })

        let popularity = Popularity(userItems: train)
        report["popularity"] = ["metrics": json(RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            popularity.recommend(block: 0, k: hyper.k, exclude: history(train, user)).map(\.item)
        })]
        let output = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try output.write(to: URL(fileURLWithPath: path("concierge.json")))
        FileHandle.standardError.write(Data("Concierge ALS: median \(median(alsSeconds)) s\n".utf8))

    case "time-als":
        // One timed fit, so that the Python side can interleave our runs with implicit's and
        // both see the same machine load. Prints the seconds only.
        let threads = arguments.count >= 6 && arguments[4] == "--threads" ? Int(arguments[5]) ?? hyper.threads : hyper.threads
        let seed = arguments.count >= 8 && arguments[6] == "--seed" ? UInt64(arguments[7]) ?? hyper.seed : hyper.seed
        let train = try readTriples(path("train.csv"), rows: shape.users, columns: shape.items)
        let configuration = ImplicitALS.Configuration(
            factors: hyper.factors, regularization: hyper.regularization, alpha: hyper.alpha,
            iterations: hyper.iterations, cgSteps: hyper.cgSteps, seed: seed, threads: threads,
            confidence: .implicitLibrary)
        let clock = ContinuousClock()
        let start = clock.now
        _ = ImplicitALS(configuration: configuration).fit(userItems: train)
        print(seconds(clock.now - start))

    case "same-start":
        // ALS from implicit's own initial factors, one half-step at a time, compared with the
        // factors implicit reached from the same start: the same algorithm should land on the
        // same factors up to Float rounding.
        let train = try readTriples(path("train.csv"), rows: shape.users, columns: shape.items)
        let test = try readTriples(path("test.csv"), rows: shape.users, columns: shape.items)
        let trainT = train.transposed()
        var users = try readFactors(path("init_user.f32"))
        var items = try readFactors(path("init_item.f32"))
        let solver = ImplicitALS(configuration: .init(
            factors: users.columns, regularization: hyper.regularization, alpha: hyper.alpha,
            cgSteps: hyper.cgSteps, threads: 1, confidence: .implicitLibrary))
        for _ in 0..<hyper.iterations {
            users = solver.leastSquares(userItems: train, itemFactors: items, initial: users)
            items = solver.leastSquares(userItems: trainT, itemFactors: users, initial: items)
        }
        let theirUsers = try readFactors(path("same_user.f32")), theirItems = try readFactors(path("same_item.f32"))
        func relative(_ a: DenseMatrix, _ b: DenseMatrix) -> Double {
            var difference = 0.0, norm = 0.0
            for (x, y) in zip(a.values, b.values) {
                difference += Double(x - y) * Double(x - y)
                norm += Double(y) * Double(y)
            }
            return (difference / norm).squareRoot()
        }
        try writeFactors(users, to: path("same_concierge_user.f32"))
        try writeFactors(items, to: path("same_concierge_item.f32"))
        let model = ALSModel(
            userFactors: users, itemFactors: items, regularization: hyper.regularization, alpha: hyper.alpha,
            confidence: .implicitLibrary)
        let metrics = RankingMetrics.evaluate(k: hyper.k, test: test) { user in
            model.recommend(user: user, k: hyper.k, exclude: history(train, user)).map(\.item)
        }
        print(
            "same start: Concierge precision \(format(metrics.precision)), map \(format(metrics.meanAveragePrecision)), "
                + "ndcg \(format(metrics.ndcg)), auc \(format(metrics.auc)); factors differ from implicit's by "
                + "‖ΔX‖/‖X‖ = \(format(relative(users, theirUsers))), ‖ΔY‖/‖Y‖ = \(format(relative(items, theirItems)))")

    default:
        throw BenchError.usage
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
