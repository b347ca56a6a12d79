/// A failure the command explains in one line (no usage text: the flags were fine, the world was not).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
