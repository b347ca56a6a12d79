/// Who may call a route when API keys are configured.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone, credentials or not: probes.
    case open
    /// A key holding this scope.
    case scope(String)
}
