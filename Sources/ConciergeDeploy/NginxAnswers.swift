/// Whom nginx's answers come from, by the headers every instance adds (`X-Concierge-Color`, `X-Concierge-Model`).
package enum NginxAnswers {
    /// "COLOUR MODEL/VERSION"; nil without a colour header (nginx's own error page, or no answer).
    package static func servedBy(colour: String?, model: String?) -> String? {
        guard let colour, !colour.isEmpty else { return nil }
        return "\(colour) \(model ?? "")"
    }

    /// nil when every look saw `colour` on `model`/`version`; otherwise what deploy.sh says if the deadline
    /// passes, naming the first look that saw something else.
    package static func mismatch(
        _ looks: [String?], colour: Colour, model: String, version: String, settings: DeploySettings
    ) -> String? {
        let expected = "\(colour.rawValue) \(model)/\(version)"
        guard let seen = looks.first(where: { $0 != expected }) else { return nil }
        return
            "nginx at \(settings.publicURL) still answers from '\(seen ?? "nothing")' after \(settings.flipTimeout.text) s, "
            + "not \(expected)"
    }
}
