// swift-tools-version:6.1
import PackageDescription

let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "concierge",
    products: [
        .executable(name: "concierge", targets: ["concierge"]),
        .library(name: "ConciergeHTTP", targets: ["ConciergeHTTP"]),
        .library(name: "ConciergeModel", targets: ["ConciergeModel"]),
        // For Benchmarks/training, which ranks with ConciergeServing over an in-memory ModelView.
        .library(name: "ConciergeModelFormat", targets: ["ConciergeModelFormat"]),
        .library(name: "ConciergeServing", targets: ["ConciergeServing"]),
        // For Benchmarks/training, which compares the trainer's own model selection with implicit's.
        .library(name: "ConciergeTraining", targets: ["ConciergeTraining"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian, found through pkg-config.
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CNghttp2", pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]),
        // BLAS and LAPACK (OpenBLAS, multi-threaded): EASE's Cholesky factorisation and inverse.
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Linux's epoll, which Glibc's module does not import.
        .systemLibrary(name: "CEpoll"),

        // System calls retried on EINTR, their failures reported one way, for every module that makes them.
        .target(
            name: "ConciergeSystem",
            swiftSettings: strictness),

        // SHA-256 through OpenSSL, once for every module that hashes: model files' checksums and API keys' digests.
        .target(
            name: "ConciergeDigest",
            dependencies: ["COpenSSL"],
            swiftSettings: strictness),

        // HTTP/1.1 and HTTP/2 (libnghttp2) server, cleartext or TLS (OpenSSL), on POSIX sockets and Dispatch;
        // knows nothing of recommendations.
        .target(
            name: "ConciergeHTTP",
            dependencies: [
                "CEpoll", "CNghttp2", "COpenSSL", "ConciergeDigest", "ConciergeJSON", "ConciergeSystem",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness),

        // A thin wrapper over libsqlite3 for the feature store and the model registry.
        .target(
            name: "ConciergeSQLite",
            dependencies: ["CSQLite"],
            swiftSettings: strictness),

        // A small, strict RFC 8259 reader, for the order exports' JSON and for request bodies, and the one writer
        // of every JSON the service produces.
        .target(
            name: "ConciergeJSON",
            swiftSettings: strictness),

        // ScoringKernel's inner loop in C, for an AVX2 and FMA version that the CPU chooses at run time: Swift cannot
        // compile one function for AVX2 while the rest of the binary stays on baseline x86-64 (ScoringKernel.c).
        // Optimised in debug builds too, as ConciergeModel is.
        .target(
            name: "CScoringKernel",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),

        // The recommender's mathematics: matrices, ALS, item similarity, EASE, popularity, ranking metrics.
        // No I/O and no HTTP: training and serving both build on it.
        .target(
            name: "ConciergeModel",
            dependencies: ["COpenBLAS", "CScoringKernel"],
            // Optimised in debug builds too: unoptimised, ALS is ~300× slower and the tests that train
            // (and `make test` as a whole) would take hours.
            swiftSettings: strictness + [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // The operator's order exports: reading and validating them, the sample generator,
        // and the SQLite feature store that ingest writes and training reads.
        .target(
            name: "ConciergeData",
            dependencies: ["ConciergeJSON", "ConciergeSQLite", "ConciergeSystem"],
            swiftSettings: strictness),

        // The model format: what training writes and serving reads. The files of one version (docs/model-format.md),
        // their manifest and SHA-256 checksums, writing them, mapping and checking them. No SQLite.
        .target(
            name: "ConciergeModelFormat",
            dependencies: ["ConciergeDigest", "ConciergeModel", "ConciergeSystem"],
            swiftSettings: strictness),

        // The model registry: the catalogue of versions (SQLite), atomic publish, aliases, events, verify, gc, import.
        .target(
            name: "ConciergeRegistry",
            dependencies: [
                "ConciergeDigest", "ConciergeModelFormat", "ConciergeModel", "ConciergeSQLite", "ConciergeSystem",
            ],
            swiftSettings: strictness),

        // Training: builds the interaction matrix, compares candidates, measures, refits, hands over artifacts.
        .target(
            name: "ConciergeTraining",
            dependencies: [
                "ConciergeData", "ConciergeJSON", "ConciergeModel", "ConciergeModelFormat", "ConciergeServing",
            ],
            swiftSettings: strictness),

        // Serving recommendations from a loaded registry version: strategies, filters, fast top-k. No HTTP.
        .target(
            name: "ConciergeServing",
            dependencies: ["ConciergeModel", "ConciergeModelFormat"],
            swiftSettings: strictness + [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // The HTTP face of the service: routes, JSON in and out, health, the model summary, /metrics.
        .target(
            name: "ConciergeAPI",
            dependencies: [
                "ConciergeHTTP", "ConciergeJSON", "ConciergeServing", "ConciergeModelFormat",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictness),

        // What deploy/deploy.sh judges a new colour by: Prometheus's text format and histogram_quantile, the
        // traffic between two looks at /metrics, the golden requests and their overlap. No I/O.
        .target(
            name: "ConciergeDeploy",
            dependencies: ["ConciergeJSON"],
            swiftSettings: strictness),

        // A training run's page: one self-contained HTML file with inline SVG charts, from a version's manifest and
        // its model's history in the registry. No HTTP.
        .target(
            name: "ConciergeReport",
            dependencies: ["ConciergeModelFormat", "ConciergeRegistry"],
            swiftSettings: strictness),

        // The command line: parses flags and wires the layers together.
        .executableTarget(
            name: "concierge",
            dependencies: [
                "ConciergeHTTP", "ConciergeData", "ConciergeModel", "ConciergeModelFormat", "ConciergeRegistry",
                "ConciergeTraining", "ConciergeReport",
                "ConciergeServing", "ConciergeAPI", "ConciergeDeploy", "ConciergeSystem", "COpenSSL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness),

        // What the test targets share: the `concierge` binary and `concierge serve` in a child process, curl,
        // free ports, a raw HTTP/1.1 client, scratch folders, test certificates and the sample models.
        // Used by test targets only.
        .target(
            name: "ConciergeTestSupport",
            dependencies: [
                "ConciergeData", "ConciergeHTTP", "ConciergeModel", "ConciergeModelFormat", "ConciergeRegistry",
                "ConciergeTraining",
            ],
            path: "Tests/ConciergeTestSupport",
            swiftSettings: strictness),

        .testTarget(
            name: "ConciergeSystemTests",
            dependencies: ["ConciergeSystem"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeDigestTests",
            dependencies: ["ConciergeDigest"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeModelTests",
            dependencies: ["ConciergeModel"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeJSONTests",
            dependencies: ["ConciergeJSON"],
            // Optimised in debug builds too, for the millions of numbers spelled against the reference spelling.
            swiftSettings: strictness + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .testTarget(
            name: "ConciergeSQLiteTests",
            dependencies: ["ConciergeSQLite"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeDataTests",
            dependencies: ["ConciergeData", "ConciergeSQLite"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeRegistryTests",
            dependencies: [
                "ConciergeDigest", "ConciergeRegistry", "ConciergeModelFormat", "ConciergeModel", "ConciergeSQLite",
                "ConciergeTestSupport",
            ],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeTrainingTests",
            dependencies: [
                "ConciergeTraining", "ConciergeData", "ConciergeModel", "ConciergeModelFormat", "ConciergeRegistry",
                "ConciergeTestSupport",
            ],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeServingTests",
            dependencies: [
                "ConciergeServing", "ConciergeModelFormat", "ConciergeRegistry", "ConciergeModel", "ConciergeTraining",
                "ConciergeData", "ConciergeSQLite", "ConciergeTestSupport",
            ],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeAPITests",
            dependencies: [
                "ConciergeAPI", "ConciergeHTTP", "ConciergeServing", "ConciergeModelFormat", "ConciergeRegistry",
                "ConciergeTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["check_openapi.py"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeDeployTests",
            dependencies: ["ConciergeDeploy"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeHTTPTests",
            dependencies: [
                "ConciergeHTTP", "CNghttp2", "COpenSSL", "ConciergeTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictness),
        // The `concierge` executable run as operators run it: its commands, `serve`'s signals, TLS reload,
        // flags and environment variables. Needs the binary built (`swift build`, or CONCIERGE_BIN).
        .testTarget(
            name: "ConciergeCLITests",
            dependencies: ["ConciergeModelFormat", "ConciergeRegistry", "ConciergeTestSupport"],
            swiftSettings: strictness),
        .testTarget(
            name: "ConciergeReportTests",
            dependencies: ["ConciergeReport", "ConciergeModelFormat", "ConciergeRegistry", "ConciergeTestSupport"],
            swiftSettings: strictness),
    ],
    swiftLanguageModes: [.v6]
)
