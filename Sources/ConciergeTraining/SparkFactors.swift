import ConciergeJSON
import ConciergeModel
import Foundation

/// Factors as Spark writes a DataFrame of `id` and `features` to JSON: a folder of `part-*` files of JSON Lines,
/// `{"id":3,"features":[0.12,-0.5]}`, and `_SUCCESS` once the write committed. They are refused, like a bad
/// import, unless every line is one id in range, seen once, with `rank` finite numbers, and every id that had
/// data is there. Ids without data (an item ordered only in held-out rows) get zeros, as the native engine
/// drives them to.
enum SparkFactors {
    struct Malformed: Error {
        var path: String
        var problem: String
    }

    static func read(folder: String, rows: Int, rank: Int, required: [Bool]) throws(Malformed) -> DenseMatrix {
        let files = FileManager.default
        guard files.fileExists(atPath: folder + "/_SUCCESS") else {
            throw Malformed(path: folder, problem: "no _SUCCESS: Spark did not finish writing the factors")
        }
        let parts = ((try? files.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("part-") }.sorted()
        var values = [Float](repeating: 0, count: rows * rank)
        var seen = [Bool](repeating: false, count: rows)
        for part in parts {
            let path = folder + "/" + part
            guard let contents = files.contents(atPath: path) else {
                throw Malformed(path: path, problem: "cannot be read")
            }
            for (lineIndex, line) in Array(contents).split(separator: 0x0A).enumerated() {
                func fail(_ problem: String) -> Malformed {
                    Malformed(path: path, problem: "line \(lineIndex + 1): \(problem)")
                }
                guard case .object(let members) = try? JSONValue(parsing: line),
                    case .integer(let id)? = members.last(where: { $0.key == "id" })?.value,
                    case .array(let features)? = members.last(where: { $0.key == "features" })?.value
                else { throw fail("not an object with an integer id and a features array") }
                guard (0..<rows).contains(id) else { throw fail("id \(id) is outside 0..<\(rows)") }
                guard !seen[id] else { throw fail("id \(id) appears a second time") }
                guard features.count == rank else {
                    throw fail("id \(id) has \(features.count) features, not \(rank)")
                }
                seen[id] = true
                for (column, feature) in features.enumerated() {
                    guard let value = float(feature), value.isFinite else {
                        throw fail("id \(id) has a feature that is not a finite number")
                    }
                    values[id * rank + column] = value
                }
            }
        }
        if let missing = required.indices.first(where: { required[$0] && !seen[$0] }) {
            throw Malformed(path: folder, problem: "id \(missing) has data but no factors")
        }
        return DenseMatrix(rows: rows, columns: rank, values: values)
    }

    private static func float(_ value: JSONValue) -> Float? {
        switch value {
        case .integer(let integer): Float(integer)
        case .otherNumber(let text): Float(text)
        default: nil
        }
    }
}
