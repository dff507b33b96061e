// swift-tools-version:5.10
// mtmc: a line-editing shell for multi-task multi-class image classification.
// Dependencies point down only: Shell → Commands → MTMC → Vision → Engine.
import PackageDescription

let package = Package(
    name: "mtmc",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .executable(name: "mtmc-bench", targets: ["Bench"]),
    ],
    targets: [
        // One system-library target per C library, so a product links only what it uses.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),

        .target(name: "Engine", dependencies: ["CBLAS"]),
        .executableTarget(name: "Bench", dependencies: ["Engine"]),

        .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["Fixtures"]),
    ]
)
