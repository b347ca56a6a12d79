import HTTPTypes

/// An HTTP/1.1 request asking to continue in cleartext HTTP/2 (RFC 7540 §3.2): `Upgrade: h2c`, with
/// `upgrade` among the `Connection` options, and exactly one `HTTP2-Settings` holding the client's SETTINGS
/// payload in base64url. Anything less is an ordinary HTTP/1.1 request, which is what the RFC asks.
struct H2CUpgrade {
    /// The decoded SETTINGS payload, for `nghttp2_session_upgrade2`.
    let settingsPayload: [UInt8]

    static let switchingProtocols = Array(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8)
    private static let settingsField = HTTPField.Name("HTTP2-Settings")!

    init?(_ head: HTTPRequestHead) {
        guard head.version == .http1_1 else { return nil }
        var upgradesToH2C = false
        var connectionNamesUpgrade = false
        var settings: [String] = []
        for field in head.headerFields {
            switch field.name {
            case .upgrade:
                upgradesToH2C = upgradesToH2C || Self.hasToken("h2c", in: field.value)
            case .connection:
                connectionNamesUpgrade = connectionNamesUpgrade || Self.hasToken("upgrade", in: field.value)
            case Self.settingsField:
                settings.append(field.value)
            default:
                break
            }
        }
        guard upgradesToH2C, connectionNamesUpgrade, settings.count == 1,
            let payload = Self.decodeBase64URL(settings[0])
        else { return nil }
        settingsPayload = payload
    }

    private static func hasToken(_ token: String, in value: String) -> Bool {
        value.utf8.split(separator: .comma).contains { $0.trimmingOWS.equalsIgnoringCase(token) }
    }

    /// Base64url without padding (RFC 4648 §5), as HTTP2-Settings carries it; padding is tolerated.
    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text.utf8 where character != UInt8(ascii: "=") {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return bits < 6 ? bytes : nil
    }
}
