/// A number of seconds from deploy.sh's settings ("2", "0.5", "1.25"): the text, for messages, and whole
/// microseconds, which bash compares and adds with integer arithmetic.
package struct DeployDuration: Sendable, Equatable {
    package var text: String
    package var microseconds: Int

    /// nil unless `text` is digits with at most one decimal point; digits past the sixth decimal are dropped.
    package init?(_ text: String) {
        guard let match = text.wholeMatch(of: /([0-9]*)(?:\.([0-9]+))?/), !text.isEmpty,
            let whole = Int(match.output.1.isEmpty ? "0" : match.output.1)
        else { return nil }
        let fraction = String(((match.output.2 ?? "") + "000000").prefix(6))
        self.text = text
        microseconds = whole * 1_000_000 + (Int(fraction) ?? 0)
    }

    package var seconds: Double { Double(microseconds) / 1_000_000 }
}
