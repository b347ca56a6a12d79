/// The files of a model version besides `manifest.json`. The names are part of the on-disk format
/// (docs/model-format.md): exporters write exactly these.
package enum ModelFile: String, CaseIterable, Sendable {
    case userIDs = "user_ids.txt"
    case itemIDs = "item_ids.txt"
    case hotelIDs = "hotel_ids.txt"
    case itemNames = "item_names.txt"
    case itemDepartments = "item_departments.txt"
    case itemPrices = "item_prices.f64"
    case hotelItems = "hotel_items.i64"
    case userHotels = "user_hotels.i32"
    case userFactors = "user_factors.f32"
    case itemFactors = "item_factors.f32"
    case userItems = "user_items.csr"
    case userFreeItems = "user_free_items.csr"
    case itemNeighbours = "item_neighbours.csr"
    case hotelPopularity = "hotel_popularity.csr"
    case easeWeights = "ease_weights.f32"

    package static let manifest = "manifest.json"

    /// Factors are optional for the kinds that do not score with them, but come as a pair.
    package var isFactors: Bool { self == .userFactors || self == .itemFactors }

    /// Versions may leave these out: the factors (see `isFactors`), the free items, which versions published
    /// before they existed, and exports of other tools, do not have, and EASE's weights, which only EASE versions
    /// have.
    package var isOptional: Bool { isFactors || self == .userFreeItems || self == .easeWeights }
}
