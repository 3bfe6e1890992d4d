// swift-tools-version:6.0
// Digits: the `digits` command and its server on top of the dependency-free core in
// ./Core, which builds and tests on its own in seconds.
import PackageDescription

/// The tests reach these modules' internal API (`@testable import`), which a release build
/// allows only with -enable-testing. Said here rather than with `-Xswiftc` on the command
/// line, so that `swift run -c release` and `swift test -c release` build with the same
/// flags into one build folder, and Vapor (built without it either way) is compiled once.
let testableInRelease: [SwiftSetting] = [.unsafeFlags(["-enable-testing"], .when(configuration: .release))]

let package = Package(
    name: "Digits",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "digits", targets: ["digits"])
    ],
    dependencies: [
        .package(path: "Core"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/vapor/vapor", from: "4.110.0"),
        .package(url: "https://github.com/vapor/fluent", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
    ],
    targets: [
        .target(
            name: "MNISTFetching",
            dependencies: [.product(name: "MNISTData", package: "Core")],
            swiftSettings: testableInRelease
        ),
        .target(
            name: "DigitsServer",
            dependencies: [
                .product(name: "NeuralNetwork", package: "Core"),
                .product(name: "MNISTData", package: "Core"),
                .product(name: "DigitImaging", package: "Core"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The OpenAPI document (and the page) ship beside the binary as its resource bundle.
            resources: [.copy("Resources")],
            swiftSettings: testableInRelease
        ),
        .executableTarget(
            name: "digits",
            dependencies: [
                "DigitsServer",
                "MNISTFetching",
                .product(name: "NeuralNetwork", package: "Core"),
                .product(name: "MNISTData", package: "Core"),
                .product(name: "DigitImaging", package: "Core"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Free ports on loopback, for the tests that start servers of their own.
        .target(name: "LoopbackPorts", path: "Tests/LoopbackPorts"),
        .testTarget(name: "MNISTFetchingTests", dependencies: ["MNISTFetching", "LoopbackPorts"]),
        .testTarget(
            name: "DigitsCommandTests",
            dependencies: [
                "digits", "LoopbackPorts", .product(name: "DigitImaging", package: "Core"), .product(name: "MNISTData", package: "Core"),
            ]
        ),
        .testTarget(
            name: "DigitsServerTests",
            dependencies: [
                "DigitsServer", .product(name: "NeuralNetwork", package: "Core"), .product(name: "MNISTData", package: "Core"),
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
