import ConciergeHTTP

/// What an API key may read. `ConciergeService.routeAccess` says which route needs which.
package enum APIScope: String, CaseIterable, Sendable {
    /// `/recommend` and `/similar`: answers that reveal something of a guest's past orders.
    case recommend
    /// `/model`: the model's summary.
    case model
    /// `/metrics`: the Prometheus exposition.
    case metrics

    var access: RouteAccess { .scope(rawValue) }
}
