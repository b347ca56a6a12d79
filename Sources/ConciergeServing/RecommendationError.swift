/// A request the recommender refuses, with the request field at fault and a one-line message
/// that an HTTP layer can return as it is.
public enum RecommendationError: Error, Sendable, Equatable, CustomStringConvertible {
    case countOutOfRange(Int)
    case unknownHotel(String)
    /// No `hotel` was given and the model knows no hotel for the guest (unknown or absent user).
    case hotelRequired(user: String?)
    case unknownItem(String)

    public var field: String {
        switch self {
        case .countOutOfRange: "count"
        case .unknownHotel, .hotelRequired: "hotel"
        case .unknownItem: "item"
        }
    }

    public var message: String {
        let range = RecommendationRequest.countRange
        return switch self {
        case .countOutOfRange(let count): "count is \(count), it must be in \(range.lowerBound)...\(range.upperBound)"
        case .unknownHotel(let hotel): "hotel '\(hotel)' is not in this model version"
        case .hotelRequired(let user?):
            "guest '\(user)' is not in this model version, so a hotel (or recent items) must be given"
        case .hotelRequired(nil): "a hotel (or recent items) must be given when no known guest is"
        case .unknownItem(let item): "item '\(item)' is not in this model version"
        }
    }

    public var description: String { "\(field): \(message)" }
}
