// swift-tools-version:6.0
// The dependency-free core of Digits: the network, MNIST and drawing normalisation.
// It builds, tests and benchmarks in seconds because it depends on no package at all;
// zlib, libpng and libdeflate come from the system through small C shims.
import PackageDescription

#if canImport(Glibc)
    import Glibc
#endif

/// Whether the building machine's processor has AVX2 and FMA (x86-64-v3, "haswell"): then
/// the kernels are compiled for 256-bit vectors, about twice as fast as the baseline SSE2.
/// The binary then needs such a processor, so set DIGITS_PORTABLE=1 to build for any x86-64.
func buildsForAVX2() -> Bool {
    #if arch(x86_64) && os(Linux)
        if getenv("DIGITS_PORTABLE") != nil { return false }
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("flags") { return text.contains(" avx2") && text.contains(" fma") }
        }
    #endif
    return false
}

/// Release builds of the hot loops: no exclusivity checks inside them, and the building
/// machine's vector units where it has AVX2. (Unoptimised, an epoch takes 80 s instead of a
/// tenth of one, so the tests and the README's commands use release builds.)
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(
        ["-enforce-exclusivity=unchecked"] + (buildsForAVX2() ? ["-target-cpu", "haswell"] : []),
        .when(configuration: .release))
]

let package = Package(
    name: "DigitsCore",
    products: [
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "MNISTData", targets: ["MNISTData"]),
        .library(name: "DigitImaging", targets: ["DigitImaging"]),
    ],
    targets: [
        .target(name: "NeuralNetwork", swiftSettings: kernelSettings),
        .target(name: "CZlibShim", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CPNGShim", linkerSettings: [.linkedLibrary("png16")]),
        .systemLibrary(name: "CLibDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .target(name: "MNISTData", dependencies: ["CZlibShim"], swiftSettings: kernelSettings),
        .target(name: "DigitImaging", dependencies: ["CPNGShim", "CLibDeflate"], swiftSettings: kernelSettings),
        .executableTarget(
            name: "TrainingBenchmark",
            dependencies: ["NeuralNetwork", "MNISTData"],
            path: "Benchmarks/TrainingBenchmark",
            swiftSettings: kernelSettings
        ),
        .executableTarget(
            name: "GuessBenchmark",
            dependencies: ["DigitImaging", "MNISTData", "NeuralNetwork"],
            path: "Benchmarks/GuessBenchmark",
            swiftSettings: kernelSettings
        ),
        // libFuzzer entry points (scripts/fuzz builds them with -sanitize=fuzzer -DFUZZING; an
        // ordinary build makes them replay the files they are given).
        .target(name: "FuzzingDriver", dependencies: ["MNISTData"], path: "Fuzz/FuzzingDriver"),
        .executableTarget(name: "FuzzPNG", dependencies: ["DigitImaging", "FuzzingDriver"], path: "Fuzz/FuzzPNG"),
        .executableTarget(name: "FuzzModelFile", dependencies: ["NeuralNetwork", "FuzzingDriver"], path: "Fuzz/FuzzModelFile"),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork"]),
        .testTarget(name: "MNISTDataTests", dependencies: ["MNISTData", "CZlibShim"]),
        .testTarget(name: "DigitImagingTests", dependencies: ["DigitImaging", "MNISTData", "NeuralNetwork", "CLibDeflate"]),
    ]
)
