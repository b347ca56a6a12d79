/// An order's `status`. Only `complete` orders count as interactions for the recommender.
public enum OrderStatus: String, CaseIterable, Sendable {
    case complete = "COMPLETE"
    case wait = "WAIT"
    case check = "CHECK"
    case refuse = "REFUSE"
    case cancel = "CANCEL"
}
