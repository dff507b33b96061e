// swift-tools-version:5.10
// mtmc: a line-editing shell for multi-task multi-class image classification.
// Dependencies point down only: Shell → Serve and Commands (side by side) → MTMC → Vision → Engine.
import PackageDescription

let package = Package(
    name: "mtmc",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "MTMC", targets: ["MTMC"]),
        .library(name: "Commands", targets: ["Commands"]),
        .executable(name: "mtmc", targets: ["Shell"]),
        .executable(name: "mtmc-bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `mtmc serve` only: the HTTP server and its /metrics text.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in Hummingbird's graph; named because Serve imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // One system-library target per C library, so a product links only what it uses.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),

        // Open MPI is loaded at run time (Sources/CMPI), so building needs no MPI installed.
        .target(name: "CMPI"),

        // The CUDA kernels are sources read at run time (compiled by NVRTC); nothing CUDA is needed to build.
        // The engine's own matrix-product kernel (AVX2 and FMA, chosen at run time), for evaluation's small products.
        .target(name: "CGEMM", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // The tensor engine, its C kernel (above) and the image code are optimised in debug builds too: the tests
        // train and predict through them, and their unoptimised loops would make up most of the test run.
        // Preconditions still trap (the sources use no assert, which optimisation would drop).
        .target(name: "Engine", dependencies: ["CBLAS", "CMPI", "CGEMM"], resources: [.copy("CUDA/Kernels")],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Vision", dependencies: ["Engine", "CPNG", "CTurboJPEG"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "MTMC", dependencies: ["Vision", "Engine", "CFreeType"]),
        .target(name: "Commands", dependencies: ["MTMC", "Vision", "Engine"]),
        // Strict parsers for what clients send to `mtmc serve` (query, headers, multipart), with no server
        // dependency so that tools/fuzz.sh can compile them.
        .target(name: "RequestParsing"),
        // The HTTP layer of `mtmc serve`; batching and model swapping are domain logic in MTMC.
        .target(name: "Serve", dependencies: [
            "MTMC", "Vision", "Engine", "RequestParsing",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "Shell", dependencies: [
            "Commands", "Serve", "CEdit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "Bench", dependencies: ["MTMC", "CBLAS"]),
        .executableTarget(name: "MakeSamples", dependencies: ["Vision", "Engine"], path: "tools/make-samples"),

        .testTarget(name: "EngineTests", dependencies: ["Engine", "CBLAS"], exclude: ["Fixtures", "CUDAEmulation"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision"], exclude: ["Fixtures"]),
        .testTarget(name: "MTMCTests", dependencies: ["MTMC"], exclude: ["Fixtures"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "MTMC", "Engine"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench"]),
    ]
)
