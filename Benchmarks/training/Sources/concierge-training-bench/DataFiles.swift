// The files the Swift and Python halves exchange, all in one data-set directory:
//   shape.json             {"users": U, "items": I}
//   hotels.json            {"blocks": [[lower, upper], ...], "user_hotel": [...]} (sample data only)
//   hyper.json             the equal-hyper-parameter ALS and cosine settings
//   interactions.csv, train.csv, test.csv, fit.csv, validation.csv   user,item,value triples
//   free.csv               what each guest got free, user,item,units (sample data only)
//   models/NAME.user.f32 + NAME.item.f32   ALS factors
//   models/NAME.similarity.csv             item-item neighbour lists (item,neighbour,cosine)
//   models/NAME.popularity                 an empty marker: popularity fitted on train.csv
import ConciergeModel
import Foundation

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case missingOption(String)
    case badOption(String, String)
    case badLine(String, Int)
    case badFile(String)

    var description: String {
        switch self {
        case .usage(let text): text
        case .missingOption(let name): "missing --\(name)"
        case .badOption(let name, let value): "--\(name) \(value): not understood"
        case .badLine(let file, let line): "\(file): cannot read line \(line)"
        case .badFile(let file): "\(file): not in the expected format"
        }
    }
}

/// `COMMAND --name value ...`
struct Arguments {
    let command: String
    private let options: [String: String]

    init(_ arguments: [String], usage: String) throws {
        guard arguments.count >= 2, arguments.count % 2 == 0 else { throw BenchError.usage(usage) }
        command = arguments[1]
        var options: [String: String] = [:]
        for index in stride(from: 2, to: arguments.count, by: 2) {
            guard arguments[index].hasPrefix("--") else { throw BenchError.usage(usage) }
            options[String(arguments[index].dropFirst(2))] = arguments[index + 1]
        }
        self.options = options
    }

    func string(_ name: String) throws -> String {
        guard let value = options[name] else { throw BenchError.missingOption(name) }
        return value
    }

    func optional(_ name: String) -> String? { options[name] }

    func number<T: LosslessStringConvertible>(_ name: String, default fallback: T? = nil) throws -> T {
        guard let text = options[name] else {
            if let fallback { return fallback }
            throw BenchError.missingOption(name)
        }
        guard let value = T(text) else { throw BenchError.badOption(name, text) }
        return value
    }
}

struct DataSet {
    let directory: String
    let users: Int
    let items: Int

    private struct Shape: Decodable {
        let users: Int
        let items: Int
    }

    init(directory: String) throws {
        self.directory = directory
        let shape = try JSONDecoder().decode(
            Shape.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/shape.json")))
        users = shape.users
        items = shape.items
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// `NAME.csv`: guests × items.
    func matrix(_ name: String) throws -> SparseMatrix {
        try readTriples(path(name + ".csv"), rows: users, columns: items)
    }

    /// `free.csv`, when the data set has one: what each guest got free (the sample's, from its feature store).
    func freeItems() throws -> SparseMatrix? {
        FileManager.default.fileExists(atPath: path("free.csv")) ? try matrix("free") : nil
    }

    func write(_ matrix: SparseMatrix, as name: String) throws {
        try writeTriples(matrix, to: path(name + ".csv"))
    }

    var modelDirectory: String { path("models") }

    func modelPath(_ name: String) -> String { modelDirectory + "/" + name }
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
    guard data.count >= 16 else { throw BenchError.badFile(path) }
    let rows = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: Int64.self) })
    let columns = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) })
    guard data.count == 16 + 4 * rows * columns else { throw BenchError.badFile(path) }
    let values = data.withUnsafeBytes { bytes in
        (0..<(rows * columns)).map { bytes.loadUnaligned(fromByteOffset: 16 + 4 * $0, as: Float.self) }
    }
    return DenseMatrix(rows: rows, columns: columns, values: values)
}

func writeJSON(_ object: Any, to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
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

/// Runs `body` and returns its result and wall time in seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, seconds(clock.now - start))
}

func format(_ value: Double) -> String {
    String(format: "%.4f", value)
}

func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
