import COpenSSL

/// SHA-256 through OpenSSL's libcrypto: the checksums of a model version's files and the digests of API keys.
/// Named after OpenSSL so that it is not mistaken for CryptoKit's `SHA256`.
package struct OpenSSLSHA256: ~Copyable {
    private let context: OpaquePointer

    package init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not start a SHA-256 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32 bytes of the digest.
    package consuming func digest() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else {
            fatalError("OpenSSL could not finish a SHA-256 digest")
        }
        return Array(digest.prefix(Int(length)))
    }

    /// The digest as 64 lowercase hex digits.
    package consuming func finalize() -> String { Self.hexDigits(digest()) }

    package static func digest(of bytes: [UInt8]) -> [UInt8] {
        var hasher = OpenSSLSHA256()
        hasher.update(bytes)
        return hasher.digest()
    }

    package static func hex(of bytes: [UInt8]) -> String { hexDigits(digest(of: bytes)) }

    /// `bytes` as lowercase hex digits, two per byte: how digests are written in manifests and key files.
    package static func hexDigits(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
