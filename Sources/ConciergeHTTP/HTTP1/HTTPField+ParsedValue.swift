import HTTPTypes

extension HTTPField {
    /// The field `HTTPField(name:value:)` makes of the same bytes (both legalise the value), made cheaper.
    ///
    /// swift-http-types' byte initialiser validates UTF-8 through an unspecialised generic call whose type
    /// metadata lookups cost more than the rest of a header line's parsing; an ASCII value, which nearly every
    /// value is, goes through its `String` initialiser instead.
    init(name: Name, parsedValue value: UnsafeBufferPointer<UInt8>) {
        if let text = String(ascii: value) {
            self.init(name: name, value: text)
        } else {
            self.init(name: name, value: value)
        }
    }
}
