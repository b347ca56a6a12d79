// swift-tools-version:6.0
// A stock Hummingbird 2 server, used only as a peer in Benchmarks/http/load.sh.
// Kept outside the root package so the project itself never depends on Hummingbird.

import PackageDescription

let package = Package(
    name: "HummingbirdPeer",
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "hummingbird-peer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
