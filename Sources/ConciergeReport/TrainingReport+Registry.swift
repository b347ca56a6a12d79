package import ConciergeRegistry

extension TrainingReport {
    /// The page of `versionOrAlias` of `model` in `registry`, with every version of the model for its history.
    package init(registry: ModelRegistry, model: String, versionOrAlias: String) throws(RegistryError) {
        let details = try registry.show(model: model, versionOrAlias: versionOrAlias)
        let versions = try registry.list(model: model).map {
            Version(number: $0.version, kind: $0.kind, metrics: $0.metrics, aliases: $0.aliases)
        }
        self.init(model: model, version: details.version.version, manifest: details.manifest, versions: versions)
    }
}
