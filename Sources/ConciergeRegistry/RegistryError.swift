package import ConciergeModelFormat
package import ConciergeSQLite

/// Everything the registry can fail with. Each description is one line that names the directory, file,
/// model or version concerned, so an operator can act on it without a stack trace.
package enum RegistryError: Error, CustomStringConvertible, Sendable {
    /// A reading operation on a directory without `registry.sqlite`.
    case registryNotFound(directory: String)
    /// Publishing into an existing directory that holds other things but no registry.
    case notARegistry(directory: String)
    case unsupportedSchema(path: String, found: Int, supported: Int)
    /// A reader found a schema older than this build's; only a writer upgrades it.
    case outdatedSchema(path: String, found: Int, supported: Int)
    case invalidName(String, kind: String, rule: String)
    case modelNotFound(model: String, registry: String)
    case versionNotFound(model: String, versionOrAlias: String)
    /// A version's files, or the registry's own folders and locks: missing, damaged, or refused by the system.
    case modelFile(ModelFileError)
    case database(SQLiteError)

    package var description: String {
        switch self {
        case .registryNotFound(let directory):
            return "\(directory): no model registry here (\(directory)/registry.sqlite does not exist)"
        case .notARegistry(let directory):
            return "\(directory): not a model registry (no registry.sqlite) and not empty; refusing to create one there"
        case .unsupportedSchema(let path, let found, let supported):
            return "\(path): registry schema version \(found) is newer than this concierge supports (\(supported))"
        case .outdatedSchema(let path, let found, let supported):
            return "\(path): registry schema version \(found) is older than this concierge's (\(supported)); "
                + "publish or promote once with it, where the folder is writable, to upgrade the registry"
        case .invalidName(let name, let kind, let rule):
            return "invalid \(kind) '\(name)': \(rule)"
        case .modelNotFound(let model, let registry):
            return "no model '\(model)' in registry \(registry)"
        case .versionNotFound(let model, let versionOrAlias):
            return "model '\(model)' has no version or alias '\(versionOrAlias)'"
        case .modelFile(let error):
            return error.description
        case .database(let error):
            return error.description
        }
    }

    static func invalidFile(path: String, problem: String) -> RegistryError {
        .modelFile(.invalidFile(path: path, problem: problem))
    }

    static func fileSystem(path: String, operation: String, code: Int32) -> RegistryError {
        .modelFile(.fileSystem(path: path, operation: operation, code: code))
    }

    /// A system call on `path`, through `SystemCall` (retried on EINTR), failing the way model files do.
    static func systemCall<Result: SignedInteger>(
        on path: String, _ operation: StaticString, _ call: () -> Result
    ) throws(RegistryError) -> Result {
        do throws(ModelFileError) {
            return try ModelFileError.systemCall(on: path, operation, call)
        } catch {
            throw .modelFile(error)
        }
    }
}
