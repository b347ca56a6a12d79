extension Int {
    /// `self` with one more decimal digit written after it, away from zero when `negative` (so that `Int.min`,
    /// whose magnitude `Int` cannot hold, is reached too); nil when the result does not fit.
    func appendingDecimalDigit(_ digit: Int, negative: Bool) -> Int? {
        let (times10, overflow1) = multipliedReportingOverflow(by: 10)
        let (next, overflow2) =
            negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
        return overflow1 || overflow2 ? nil : next
    }
}
