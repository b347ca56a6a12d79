import ArgumentParser
import ConciergeDeploy
import Foundation

/// `--credentials-file`: the bearer token a client command presents to a server started with `--api-keys`,
/// read from a file so that it shows neither in `ps` nor in shell history.
struct CredentialsFile: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A file holding the API key to send as Authorization: Bearer (from `concierge keys new`).",
            valueName: "file"))
    var credentialsFile: String?

    /// The token, without the file's surrounding whitespace; nil without `--credentials-file`.
    func token() throws -> String? {
        try Self.token(in: credentialsFile)
    }

    /// As `token()`, with CONCIERGE_DEPLOY_CREDENTIALS_FILE when the option is not given.
    func token(orSetting settings: DeploySettings) throws -> String? {
        try Self.token(in: credentialsFile ?? (settings.credentialsFile.isEmpty ? nil : settings.credentialsFile))
    }

    private static func token(in credentialsFile: String?) throws -> String? {
        guard let credentialsFile else { return nil }
        let text: String
        do { text = try String(contentsOfFile: credentialsFile, encoding: .utf8) } catch {
            throw CommandFailure("cannot read the credentials file \(credentialsFile): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw CommandFailure("the credentials file \(credentialsFile) must hold one API key and nothing else")
        }
        return token
    }
}
