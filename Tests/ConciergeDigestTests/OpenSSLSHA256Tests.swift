import ConciergeDigest
import Testing

@Suite struct OpenSSLSHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func knownAnswers(input: String, digest: String) {
        #expect(OpenSSLSHA256.hex(of: Array(input.utf8)) == digest)
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = OpenSSLSHA256()
        bytes.withUnsafeBytes { all in
            hasher.update(UnsafeRawBufferPointer(rebasing: all[..<1234]))
            hasher.update(UnsafeRawBufferPointer(rebasing: all[1234...]))
        }
        #expect(hasher.finalize() == OpenSSLSHA256.hex(of: bytes))
    }

    /// The bytes are what the hex spells, and a byte under 16 keeps its leading zero.
    @Test func digestBytesAndHexDigits() {
        let digest = OpenSSLSHA256.digest(of: Array("abc".utf8))
        #expect(digest.count == 32 && digest.prefix(4) == [0xba, 0x78, 0x16, 0xbf] && digest.last == 0xad)
        #expect(OpenSSLSHA256.hexDigits(digest) == OpenSSLSHA256.hex(of: Array("abc".utf8)))
        #expect(OpenSSLSHA256.hexDigits([0x00, 0x0f, 0x10, 0xff]) == "000f10ff")
    }
}
