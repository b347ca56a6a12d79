/// A file whose first line is not the order export's header. The message never quotes the line: in a file
/// without a header it would be a data row, and a guest's name must not reach a log.
public struct ExportHeaderError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var problem: String

    public var description: String { "\(path): not an order export: \(problem)" }
}
