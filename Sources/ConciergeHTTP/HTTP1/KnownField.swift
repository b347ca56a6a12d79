import HTTPTypes

/// Header names every request carries, matched without building a String, so the common case allocates less.
enum KnownField {
    static let host = HTTPField.Name("Host")!
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let names: [HTTPField.Name] = [
        host, .userAgent, .accept, .acceptEncoding, .acceptLanguage, .connection, .contentLength, .contentType,
        .transferEncoding, .expect, .cookie, .authorization, .cacheControl, .origin, requestID,
        HTTPField.Name("X-Forwarded-For")!, HTTPField.Name("X-Real-IP")!,
    ]
    private static let lowercasedBytes: [[UInt8]] = names.map { Array($0.canonicalName.utf8) }

    static func name(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPField.Name {
        for index in lowercasedBytes.indices where lowercasedBytes[index].count == bytes.count {
            let matches = lowercasedBytes[index].withUnsafeBufferPointer { candidate in
                for position in 0..<bytes.count where bytes[position].lowercasedASCII != candidate[position] {
                    return false
                }
                return true
            }
            if matches { return names[index] }
        }
        // The bytes were checked to be token characters, so this cannot fail.
        return HTTPField.Name(String(decoding: bytes, as: UTF8.self))!
    }
}
