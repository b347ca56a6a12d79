/// One of deploy.sh's two sets of instances: one serves through nginx, the other takes the next version.
package enum Colour: String, Sendable, CaseIterable {
    case blue
    case green

    package var other: Colour { self == .blue ? .green : .blue }
}
