import ArgumentParser
import ConciergeAPI
import ConciergeHTTP
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `concierge keys …`: API keys for `serve --api-keys`.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make API keys for `serve --api-keys`.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new API key: write its token to --token-file and print its line for the key file.",
            discussion: """
                The line holds only the token's SHA-256; append it to the key file and send the server SIGHUP. \
                To rotate, add the new key, move the client to it, then remove the old line and SIGHUP again.
                """)

        @Option(
            help: ArgumentHelp(
                "What the key may read, comma-separated: \(APIScope.allCases.map(\.rawValue).joined(separator: ", ")).",
                valueName: "scopes"))
        var scopes: String

        @Option(help: "The key's name in the key file, such as crm-2026-12: one word, unique in the file.")
        var name: String

        @Option(
            help: ArgumentHelp(
                "Where to write the token (created with mode 0600; never overwritten).", valueName: "file"))
        var tokenFile: String

        func validate() throws {
            let known = APIScope.allCases.map(\.rawValue)
            for scope in scopes.split(separator: ",", omittingEmptySubsequences: false)
            where !known.contains(String(scope)) {
                throw ValidationError("--scopes: '\(scope)' is not a scope; use \(known.joined(separator: ", "))")
            }
            guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == "#" }) else {
                throw ValidationError("--name must be one word, without spaces or #")
            }
        }

        func run() throws {
            let token = APIKey.newToken()
            // Created exclusively, so an existing token (perhaps still in use) is never lost.
            let fd = open(tokenFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw CommandFailure("cannot create \(tokenFile): \(String(cString: strerror(errno)))")
            }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            do { try handle.write(contentsOf: Array((token + "\n").utf8)) } catch {
                throw CommandFailure("cannot write \(tokenFile): \(error.localizedDescription)")
            }
            let key = APIKey(
                digest: APIKey.digest(of: token), scopes: Set(scopes.split(separator: ",").map(String.init)), name: name
            )
            print(key.line)
        }
    }
}
