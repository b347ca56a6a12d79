// swift-tools-version:6.1
// A libFuzzer target for Concierge's HTTP/1.1 request parser. Its own package, so the sanitizer and
// -enable-testing flags it needs never touch the main build. Build and run it with `Fuzz/run.sh`.
import PackageDescription

let package = Package(
    name: "ConciergeFuzz",
    dependencies: [
        .package(name: "concierge", path: ".."),
        // Already a dependency of ConciergeHTTP; named here because the target reads its types.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "ParserFuzzer",
            dependencies: [
                .product(name: "ConciergeHTTP", package: "concierge"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
