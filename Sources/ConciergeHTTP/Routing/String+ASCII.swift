extension String {
    /// The bytes as a `String` when they are all ASCII, nil otherwise: the cheap case of UTF-8 decoding, which
    /// request targets and header values nearly always are, without the generic validation's metadata lookups.
    init?(ascii bytes: UnsafeBufferPointer<UInt8>) {
        var union: UInt8 = 0
        for byte in bytes { union |= byte }
        guard union < 0x80 else { return nil }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
