// swift-tools-version:6.1
import PackageDescription

// A separate package so that the benchmark is not a product of Concierge; it uses the
// ConciergeModel, ConciergeModelFormat, ConciergeServing and ConciergeTraining libraries of the package two levels up.
let package = Package(
    name: "ConciergeTrainingBench",
    dependencies: [
        .package(name: "concierge", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "concierge-training-bench",
            dependencies: [
                .product(name: "ConciergeModel", package: "concierge"),
                .product(name: "ConciergeModelFormat", package: "concierge"),
                .product(name: "ConciergeServing", package: "concierge"),
                .product(name: "ConciergeTraining", package: "concierge"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
