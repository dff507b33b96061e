// swift-tools-version:5.10
// mtmc: a line-editing shell for multi-task multi-class image classification.
// Dependencies point down only: Shell → Commands → MTMC → Vision → Engine.
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
        .target(name: "Engine", dependencies: ["CBLAS", "CMPI"], resources: [.copy("CUDA/Kernels")]),
        .target(name: "Vision", dependencies: ["Engine", "CPNG", "CTurboJPEG"]),
        .target(name: "MTMC", dependencies: ["Vision", "Engine", "CFreeType"]),
        .target(name: "Commands", dependencies: ["MTMC", "Vision", "Engine"]),
        .executableTarget(name: "Shell", dependencies: [
            "Commands", "CEdit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "Bench", dependencies: ["MTMC", "CBLAS"]),
        .executableTarget(name: "MakeSamples", dependencies: ["Vision", "Engine"], path: "tools/make-samples"),

        .testTarget(name: "EngineTests", dependencies: ["Engine", "CBLAS"], exclude: ["Fixtures", "CUDAEmulation"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision"], exclude: ["Fixtures"]),
        .testTarget(name: "MTMCTests", dependencies: ["MTMC"], exclude: ["Fixtures"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Engine"]),
    ]
)
