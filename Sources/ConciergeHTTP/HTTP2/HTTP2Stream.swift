import HTTPTypes

/// One HTTP/2 request and its answer, from its HEADERS frame until nghttp2 closes the stream. A class, so
/// nghttp2's callbacks can fill it in place through the handler's table.
final class HTTP2Stream {
    let id: Int32
    var method = ""
    var target = ""
    var scheme: String?
    var authority: String?
    var headerFields = HTTPFields()
    /// The client's `x-request-id`, when it is a sane one.
    var clientRequestID: String?
    var body: [UInt8] = []

    /// Counted as RFC 9113's SETTINGS_MAX_HEADER_LIST_SIZE counts: name + value + 32 per field.
    var headerListSize = 0
    var headerCount = 0
    /// Set when the request broke a limit: it is answered with this instead of being routed.
    var refusal: HTTPError?
    /// `expect: 100-continue`: the client waits for a 100 before it sends the body.
    var expectsContinue = false

    let headersBeganAt: UInt64
    /// When the header block ended (0 until then): the start of the request's measured latency.
    var headersCompletedAt: UInt64 = 0
    /// The last HEADERS or DATA frame of the request, for the body-stall deadline.
    var lastReceivedAt: UInt64
    /// The client has ended its side (END_STREAM), so the request is whole.
    var requestComplete = false
    /// Counted in `requestsStarted`, so it must end up answered or abandoned.
    var counted = false
    var answered = false

    /// The response body nghttp2 reads through the data provider, and how far it has read.
    var responseBody: [UInt8] = []
    var responseOffset = 0

    init(id: Int32, now: UInt64) {
        self.id = id
        headersBeganAt = now
        lastReceivedAt = now
    }
}
