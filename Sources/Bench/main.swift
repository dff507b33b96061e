import Engine
import Foundation

ProcessSetup.prepareOpenBLAS()

/// mtmc-bench engine: trains the reference net on random data and compares with PyTorch when it is installed.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "engine" else {
    print("usage: mtmc-bench engine [--threads N] [--windows N] [--no-torch]")
    exit(arguments.isEmpty ? 1 : 2)
}
func option(_ name: String) -> Int? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return Int(arguments[i + 1])
}
let settings = EngineBenchmark.Settings(threads: option("--threads") ?? 2, windows: option("--windows") ?? 5)
do {
    let ours = try EngineBenchmark.run(settings)
    let torch = arguments.contains("--no-torch") ? nil : PyTorchReference.run(settings)
    EngineBenchmark.report(ours: ours, torch: torch, settings: settings)
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
