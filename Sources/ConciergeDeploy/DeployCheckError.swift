/// Why a deploy check could not judge: input it cannot read. One line, for the operator.
package struct DeployCheckError: Error, Equatable, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
