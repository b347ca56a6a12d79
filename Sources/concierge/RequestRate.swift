import ArgumentParser

/// `--rate-limit`'s value: requests a second, written `N/s` so that the unit is never in doubt.
struct RequestRate: ExpressibleByArgument, Equatable {
    var perSecond: Double

    init?(argument: String) {
        guard argument.hasSuffix("/s"), let perSecond = Double(argument.dropLast(2)), perSecond.isFinite,
            perSecond > 0
        else { return nil }
        self.perSecond = perSecond
    }

    static var defaultValueDescription: String { "N/s" }
}
