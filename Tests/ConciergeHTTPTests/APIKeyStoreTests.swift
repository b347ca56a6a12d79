import ConciergeTestSupport
import Foundation
import Testing

@testable import ConciergeHTTP

@Suite("APIKeyStore")
struct APIKeyStoreTests {
    static let digestHex = String(repeating: "ab", count: 32)

    @Test("a key line holds the token's SHA-256, its scopes and a name; # comments and blank lines are skipped")
    func parsesLines() throws {
        let keys = try APIKeyStore.parse(
            """
            # the CRM's keys
            sha256:\(Self.digestHex) recommend,model crm-2026-12   # rotated in December

            sha256:\(String(repeating: "0", count: 64)) metrics prometheus
            """, file: "keys")
        #expect(keys.count == 2)
        #expect(keys[0].scopes == ["recommend", "model"])
        #expect(keys[0].name == "crm-2026-12")
        #expect(keys[0].digest == [UInt8](repeating: 0xab, count: 32))
        #expect(keys[1].line == "sha256:\(String(repeating: "0", count: 64)) metrics prometheus")
    }

    @Test("a line that is not a hashed key is refused, naming the file and the line")
    func refusesBadLines() {
        for (line, problem) in [
            ("ck_0123 recommend crm", "sha256:"), ("sha256:abcd recommend crm", "64 hex"),
            ("sha256:\(String(repeating: "zz", count: 32)) recommend crm", "64 hex"),
            ("sha256:\(Self.digestHex) recommend", "found 2 fields"), ("sha256:\(Self.digestHex) , crm", "no scopes"),
        ] {
            #expect {
                try APIKeyStore.parse("# header\n" + line, file: "keys")
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("keys line 2: ") && text.contains(problem)
            }
        }
        #expect(throws: APIKeyFileError.self) {
            try APIKeyStore.parse(
                "sha256:\(Self.digestHex) recommend crm\nsha256:\(String(repeating: "cd", count: 32)) model crm",
                file: "keys")
        }
    }

    @Test("a token matches the key whose digest is its SHA-256, and no other")
    func matchesDigest() throws {
        #expect(
            APIKey.digest(of: "abc").map { String(format: "%02x", $0) }.joined()
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let scratch = ScratchDirectory("api-keys")
        let path = scratch.path + "/keys"
        let token = APIKey.newToken()
        #expect(token.hasPrefix("ck_") && token.count == 67)
        try (APIKey(digest: APIKey.digest(of: token), scopes: ["recommend"], name: "crm").line + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let store = try APIKeyStore(path: path)
        #expect(store.key(for: Substring(token))?.name == "crm")
        #expect(store.key(for: Substring(token.dropLast())) == nil)
        #expect(store.key(for: Substring(token.dropLast() + "x")) == nil)
    }

    @Test("rotation: two keys work at once; reload drops the removed one and keeps the keys when the file is bad")
    func rotationAndReload() throws {
        let scratch = ScratchDirectory("api-keys")
        let path = scratch.path + "/keys"
        func line(_ token: String, _ name: String) -> String {
            APIKey(digest: APIKey.digest(of: token), scopes: ["recommend"], name: name).line
        }
        try (line("old-token", "old") + "\n" + line("new-token", "new") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let store = try APIKeyStore(path: path)
        #expect(store.key(for: "old-token")?.name == "old")
        #expect(store.key(for: "new-token")?.name == "new")

        try (line("new-token", "new") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(store.key(for: "old-token") != nil, "nothing changes before reload")
        try store.reload()
        #expect(store.key(for: "old-token") == nil)
        #expect(store.key(for: "new-token")?.name == "new")

        try "not a key file\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: APIKeyFileError.self) { try store.reload() }
        #expect(store.key(for: "new-token")?.name == "new", "a bad file leaves the keys in use")
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: APIKeyFileError.self) { try store.reload() }
        #expect(store.count == 1)
    }

    @Test("digests are compared in full: equal only when every byte is")
    func constantTimeEqual() {
        let digest = APIKey.digest(of: "token")
        #expect(APIKey.constantTimeEqual(digest, digest))
        for index in [0, 15, 31] {
            var other = digest
            other[index] ^= 1
            #expect(!APIKey.constantTimeEqual(digest, other))
        }
        #expect(!APIKey.constantTimeEqual(digest, Array(digest.prefix(31))))
    }
}
