import ArgumentParser
import ConciergeModelFormat
import ConciergeRegistry
import Foundation

/// `concierge registry …`: the operator's view of the model registry. Every subcommand takes
/// `--registry` (default `models`); reading commands fail on a folder without a registry, and
/// `import`, the only writer, creates one in a missing or empty folder.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Inspect and manage the model registry: versions, aliases, checksums, cleanup and imports.",
        subcommands: [
            List.self, Show.self, Resolve.self, Promote.self, Verify.self, GC.self, Import.self, Pull.self,
            Report.self,
        ])

    struct Options: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The registry folder: registry.sqlite plus one folder per model. Created by the first import.",
                valueName: "path"))
        var registry = "models"

        var modelRegistry: ModelRegistry { ModelRegistry(directory: registry) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List versions: created, kind, MAP, precision and NDCG at the evaluation cutoff, and aliases.")

        @Argument(help: "Only list this model's versions (default: every model).")
        var model: String?

        @Flag(help: "Print a JSON array of versions (snake_case fields, as the manifest's) instead of a table.")
        var json = false

        @OptionGroup var options: Options

        func run() throws {
            let versions = try options.modelRegistry.list(model: model)
            if json { return try RegistryCommand.printJSON(versions) }
            guard !versions.isEmpty else {
                print(model.map { "model '\($0)' has no versions" } ?? "no models in \(options.registry)")
                return
            }
            let measures: [ModelMetric.Measure] = [.meanAveragePrecision, .precision, .ndcg]
            // One cutoff heads the columns; a version measured at another says which beside its figure.
            let cutoffs = Set(
                versions.flatMap { version in
                    measures.compactMap { ModelMetric.own($0, in: version.metrics)?.metric.cutoff }
                })
            let sharedCutoff = cutoffs.count == 1 ? cutoffs.first : nil
            let headings = measures.map { $0.rawValue.uppercased() + "@" + (sharedCutoff.map(String.init) ?? "K") }
            var rows = [["MODEL", "VERSION", "CREATED", "KIND"] + headings + ["ALIASES"]]
            for version in versions {
                let figures = measures.map { measure in
                    ModelMetric.own(measure, in: version.metrics).map {
                        Self.format($0.value) + (sharedCutoff == nil ? "@\($0.metric.cutoff)" : "")
                    } ?? "-"
                }
                rows.append(
                    [
                        version.model, String(version.version), version.created.formatted(.iso8601),
                        version.kind.rawValue,
                    ] + figures + [version.aliases.joined(separator: ",")])
            }
            RegistryCommand.printTable(rows)
        }

        private static func format(_ value: Double) -> String { String(format: "%.4f", value) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a version's manifest summary: counts, hyper-parameters, metrics, candidates, files.")

        @Argument(help: "The model name.")
        var model: String

        @Argument(help: "A version number, an alias such as production, or latest.")
        var versionOrAlias: String

        @Flag(help: "Print one JSON object: the version's fields as list --json has them, its manifest and events.")
        var json = false

        @OptionGroup var options: Options

        func run() throws {
            let details = try options.modelRegistry.show(model: model, versionOrAlias: versionOrAlias)
            if json { return try RegistryCommand.printJSON(details) }
            let version = details.version
            let manifest = details.manifest
            let aliases = version.aliases.isEmpty ? "" : " (\(version.aliases.joined(separator: ", ")))"
            print("\(version.model) version \(version.version)\(aliases)")
            let counts = manifest.counts
            RegistryCommand.printTable(
                [
                    ["  created", manifest.created ?? "-"],
                    ["  kind", manifest.kind.rawValue],
                    ["  engine", Self.engine(manifest.hyperParameters)],
                    ["  format version", String(manifest.formatVersion)],
                    [
                        "  counts",
                        "\(counts.users) users, \(counts.items) items, \(counts.hotels) hotels, "
                            + "\(counts.interactions) interactions",
                    ],
                    ["  factors", String(manifest.factors)],
                    ["  hyper-parameters", Self.pairs(manifest.hyperParameters.mapValues(\.description))],
                    ["  metrics", Self.pairs(manifest.metrics.mapValues { String($0) })],
                    ["  data fingerprint", manifest.dataFingerprint],
                    ["  manifest sha256", version.manifestSHA256],
                ])
            if !manifest.candidates.isEmpty {
                print("candidates:")
                RegistryCommand.printTable(
                    [["  KIND", "HYPER-PARAMETERS", "METRICS"]]
                        + manifest.candidates.map { candidate in
                            [
                                "  " + candidate.kind.rawValue,
                                Self.pairs(candidate.hyperParameters.mapValues(\.description)),
                                Self.pairs(candidate.metrics.mapValues { String($0) }),
                            ]
                        })
            }
            print("files:")
            RegistryCommand.printTable(
                [["  NAME", "BYTES", "SHA256"]]
                    + manifest.files.sorted { $0.key < $1.key }.map {
                        ["  " + $0.key, String($0.value.size), $0.value.sha256]
                    })
            print("events:")
            RegistryCommand.printTable(
                details.events.map { ["  " + $0.time.formatted(.iso8601), $0.action.rawValue, $0.details] })
        }

        /// `spark 4.3.0 local[*]`, or `native`: versions from before the engine was recorded were all native.
        private static func engine(_ parameters: [String: HyperParameter]) -> String {
            [parameters["engine"] ?? "native", parameters["spark.version"], parameters["spark.master"]]
                .compactMap { $0?.description }.joined(separator: " ")
        }

        private static func pairs(_ values: [String: String]) -> String {
            values.isEmpty
                ? "-" : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a version's page: one self-contained HTML file with charts of how it was chosen.",
            discussion: """
                The candidates' validation metrics with the winner marked, holdout metrics against the baselines, \
                per-hotel metrics and coverage, ALS loss per iteration, the data the run saw, and the model's \
                history and aliases. Inline SVG and CSS: no script, font or network.
                """)

        @Argument(help: "The model name.")
        var model: String

        @Argument(help: "A version number, an alias such as production, or latest.")
        var versionOrAlias = "latest"

        @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file.html"))
        var out: String

        @OptionGroup var options: Options

        func run() throws {
            try ReportPage.write(
                registry: options.modelRegistry, model: model, versionOrAlias: versionOrAlias, to: out)
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the version number a version number, an alias or latest stands for.",
            discussion: "For scripts: one line, the number; exits 1 when the model has no such version or alias.")

        @Argument(help: "The model name.")
        var model: String

        @Argument(help: "A version number, an alias such as production, or latest.")
        var versionOrAlias: String

        @OptionGroup var options: Options

        func run() throws {
            print(try options.modelRegistry.resolve(model: model, versionOrAlias: versionOrAlias))
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias (production, staging, or any name) at a version.")

        @Argument(help: "The model name.")
        var model: String

        @Argument(help: "The version number the alias should point at.")
        var version: Int

        @Option(help: "The alias to set; starts with a letter, and cannot be 'latest'.")
        var alias = "production"

        @OptionGroup var options: Options

        func run() throws {
            try options.modelRegistry.promote(model: model, version: version, alias: alias)
            print("\(model): \(alias) -> version \(version)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check every file's size and SHA-256 against the manifest and the registry.",
            discussion: "Prints each mismatch, naming the file, and exits 1 if there is any.")

        @Argument(help: "Only check this model (default: every model).")
        var model: String?

        @Argument(help: "Only check this version number or alias of the model.")
        var versionOrAlias: String?

        @OptionGroup var options: Options

        func run() throws {
            let report = try options.modelRegistry.verify(model: model, versionOrAlias: versionOrAlias)
            for problem in report.problems { print(problem) }
            guard report.isClean else {
                print("\(report.problems.count) problem(s) in \(report.checked.count) version(s) checked")
                throw ExitCode.failure
            }
            print("\(report.checked.count) version(s) verified: \(report.checked.joined(separator: " "))")
        }
    }

    struct GC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove old unaliased versions and what crashed publishes left behind.",
            discussion: """
                Keeps, per model, every aliased version and the newest --keep unaliased ones; removes the \
                other versions, version folders that have no registry row, and temporary folders of \
                publishes that are no longer running.
                """)

        @Option(help: "Unaliased versions to keep per model.")
        var keep = 5

        @OptionGroup var options: Options

        func validate() throws {
            guard keep >= 0 else { throw ValidationError("--keep must be 0 or more") }
        }

        func run() throws {
            let report = try options.modelRegistry.gc(keep: keep)
            for version in report.removedVersions { print("removed version \(version)") }
            for path in report.removedOrphans { print("removed unregistered folder \(path)") }
            for path in report.removedTemporaryFolders { print("removed temporary folder \(path)") }
            let total =
                report.removedVersions.count + report.removedOrphans.count + report.removedTemporaryFolders.count
            if total == 0 { print("nothing to remove") }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Check a model folder written by another tool and publish it as a new version.",
            discussion: """
                The folder holds manifest.json and the files it lists, in the format of docs/model-format.md \
                (an export from Spark ALS or implicit, or a version folder of another registry). Every file \
                is checked (sizes, SHA-256, headers, dimensions, ids) before anything is written.
                """)

        @Argument(help: "The model name to publish under.")
        var model: String

        @Argument(help: "The folder holding manifest.json and the model files.")
        var directory: String

        @OptionGroup var options: Options

        func run() throws {
            let version = try options.modelRegistry.importModel(model: model, from: directory)
            print("imported \(directory) as \(model) version \(version)")
        }
    }

    /// Pretty JSON with sorted keys, so the same registry always prints the same text.
    private static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints rows with each column padded to its widest cell.
    private static func printTable(_ rows: [[String]]) {
        guard let columnCount = rows.map(\.count).max() else { return }
        var widths = [Int](repeating: 0, count: columnCount)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            var line = cells.joined(separator: "  ")
            // An empty last cell (no aliases) would leave the separator dangling.
            while line.hasSuffix(" ") { line.removeLast() }
            print(line)
        }
    }
}
