import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

extension ScratchDirectory {
    /// A registry folder inside, not yet created (the first publish creates it).
    var registry: ModelRegistry { ModelRegistry(directory: path + "/models") }
}

/// Every file of a version folder, for tests that damage one file at a time.
let versionFileNames = [
    "user_ids.txt", "item_ids.txt", "hotel_ids.txt", "item_names.txt", "item_departments.txt", "item_prices.f64",
    "hotel_items.i64", "user_hotels.i32", "user_factors.f32", "item_factors.f32", "user_items.csr",
    "user_free_items.csr", "item_neighbours.csr", "hotel_popularity.csr",
]

/// The `RegistryError` a throwing call raised, or nil (recording an issue) if it returned or threw
/// anything else.
func registryError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> RegistryError? {
    do {
        _ = try body()
        Issue.record("expected a RegistryError", sourceLocation: sourceLocation)
    } catch let error as RegistryError {
        return error
    } catch {
        Issue.record("expected a RegistryError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
