import ConciergeJSON

/// What deploy.sh reads from an instance's `/health`: "STATUS VERSION COLOUR", e.g. "ready 3 green".
package enum InstanceHealth {
    /// nil when the body is not a JSON object; a missing field reads "null".
    package static func summary(ofBody body: String) -> String? {
        guard case .object(let members)? = try? JSONValue(parsing: Array(body.utf8)[...]) else { return nil }
        return ["status", "version", "color"].map { key in
            switch members.last(where: { $0.key == key })?.value {
            case .string(let text): text
            case .integer(let number): String(number)
            case .otherNumber(let literal): literal
            case .bool(let flag): String(flag)
            case nil, .null, .array, .object: "null"
            }
        }.joined(separator: " ")
    }

    /// What every instance of a colour answers, in order, against what a deploy waits for.
    package enum Readiness: Sendable, Equatable {
        case ready
        /// An instance is not ready yet: what deploy.sh says of the first one if the deadline passes.
        case waiting(String)
        /// An instance ready on something else: another process holds its port, and waiting will not help.
        case conflict(String)
    }

    package static func readiness(
        of answers: [(instance: DeployInstance, summary: String?)], colour: Colour, version: String,
        deadline: DeployDuration
    ) -> Readiness {
        let expected = "ready \(version) \(colour.rawValue)"
        guard let (instance, answer) = answers.first(where: { $0.summary != expected }) else { return .ready }
        if let answer, answer.hasPrefix("ready ") {
            return .conflict(
                "\(instance) answers '\(answer)', expected '\(expected)': another instance holds its port")
        }
        return .waiting(
            "\(instance) (\(colour.rawValue)) not ready after \(deadline.text) s (its /health says: \(answer ?? "nothing"))"
        )
    }
}
