// swift-tools-version:6.1
import PackageDescription

// A separate package so that neither the benchmark library nor its plugin becomes a dependency of
// Concierge; it scores with the ConciergeModel library of the package two levels up.
let package = Package(
    name: "ConciergeScoringBench",
    dependencies: [
        .package(name: "concierge", path: "../.."),
        // Only the malloc interposer: the default traits add a runtime interposer package that is
        // not needed for timing a kernel.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // `swift package benchmark`: top-k scoring of one query, as a request does.
        .executableTarget(
            name: "ScoringBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConciergeModel", package: "concierge"),
            ],
            path: "Benchmarks/ScoringBenchmarks",
            swiftSettings: settings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // The Swift side of compare_faiss.sh: times the same kernel on the script's matrix and queries.
        .executableTarget(
            name: "scoring-compare",
            dependencies: [.product(name: "ConciergeModel", package: "concierge")],
            swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)

var settings: [SwiftSetting] {
    [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault")]
}
