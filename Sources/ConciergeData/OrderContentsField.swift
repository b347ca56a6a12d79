/// The keys of one ordered item in an order's `contents` JSON.
public enum OrderContentsField: String, CaseIterable, Sendable {
    case orderType
    case itemSeq
    case count
    case itemName
    case departmentSeq
    case price
    case waitingPeriod
    case delayPeriod
    case freeCount
    case couponSeq
    case resultPrice
    case completePeriod
}
