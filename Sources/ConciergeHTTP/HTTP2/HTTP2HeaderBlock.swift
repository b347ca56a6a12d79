import CNghttp2
import HTTPTypes

/// A response's header list laid out in one byte array, handed to nghttp2 as `nghttp2_nv` pointers into
/// it; `nghttp2_submit_response` copies what it is given, so the array may go once the call returns.
struct HTTP2HeaderBlock {
    private var bytes: [UInt8] = []
    private var lengths: [(name: Int, value: Int)] = []

    init() {
        bytes.reserveCapacity(256)
        lengths.reserveCapacity(12)
    }

    mutating func append(_ name: [UInt8], _ value: [UInt8]) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: value)
        lengths.append((name.count, value.count))
    }

    /// Through `withUTF8`: appending a `String.UTF8View` walks small strings byte by byte.
    mutating func append(_ name: [UInt8], _ value: String) {
        var value = value
        bytes.append(contentsOf: name)
        value.withUTF8 { bytes.append(contentsOf: $0) }
        lengths.append((name.count, value.utf8.count))
    }

    mutating func append(_ name: HTTPField.Name, _ value: String) {
        // HTTP/2 field names are lower case (RFC 9113 §8.2.1); `canonicalName` is.
        var name = name.canonicalName
        var value = value
        name.withUTF8 { bytes.append(contentsOf: $0) }
        value.withUTF8 { bytes.append(contentsOf: $0) }
        lengths.append((name.utf8.count, value.utf8.count))
    }

    mutating func withNameValuePairs<Result>(_ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result) -> Result {
        let lengths = lengths
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            var pairs = lengths.map { lengths in
                defer { offset += lengths.name + lengths.value }
                return nghttp2_nv(
                    name: buffer.baseAddress! + offset, value: buffer.baseAddress! + offset + lengths.name,
                    namelen: lengths.name, valuelen: lengths.value, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return pairs.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    /// Fields a responder may not set: the server writes these itself, and HTTP/2 forbids the
    /// connection-specific ones (RFC 9113 §8.2.2).
    static func isPassedThrough(_ name: HTTPField.Name) -> Bool {
        !ResponseSerializer.isManagedByServer(name) && !connectionSpecific.contains(name)
    }

    private static let connectionSpecific: [HTTPField.Name] = [
        .upgrade, HTTPField.Name("Keep-Alive")!, HTTPField.Name("Proxy-Connection")!,
    ]

    /// The names the server writes on every response, as bytes once.
    enum Name {
        static let status = Array(":status".utf8)
        static let date = Array("date".utf8)
        static let server = Array("server".utf8)
        static let requestID = Array("x-request-id".utf8)
        static let contentLength = Array("content-length".utf8)
    }

    /// The server's configured headers, lower-cased once at start.
    static func fixedFields(_ fields: HTTPFields) -> [(name: [UInt8], value: [UInt8])] {
        fields.filter { isPassedThrough($0.name) }.map { (Array($0.name.canonicalName.utf8), Array($0.value.utf8)) }
    }
}
