import CNghttp2

/// nghttp2's callbacks: C function pointers that find their handler through the session's user data,
/// which `HTTP2Handler.init` sets to the (unretained) handler that owns the session. nghttp2 calls them
/// only from inside `mem_recv` and `mem_send`, that is, on the connection's queue.
extension HTTP2Handler {
    static func from(_ userData: UnsafeMutableRawPointer?) -> HTTP2Handler {
        Unmanaged<HTTP2Handler>.fromOpaque(userData!).takeUnretainedValue()
    }

    static func install(_ callbacks: OpaquePointer?) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            HTTP2Handler.from(userData).beginHeaders(frame!)
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) {
            _, frame, name, nameLength, value, valueLength, _, userData in
            HTTP2Handler.from(userData).header(
                frame!, name: UnsafeBufferPointer(start: name, count: nameLength),
                value: UnsafeBufferPointer(start: value, count: valueLength))
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            HTTP2Handler.from(userData).frameReceived(frame!)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) {
            _, _, streamID, data, length, userData in
            HTTP2Handler.from(userData).dataReceived(streamID, UnsafeBufferPointer(start: data, count: length))
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            HTTP2Handler.from(userData).frameSent(frame!)
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, _, userData in
            HTTP2Handler.from(userData).streamClosed(streamID)
        }
    }
}
