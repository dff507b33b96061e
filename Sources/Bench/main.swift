import Engine
import Foundation

ProcessSetup.prepareOpenBLAS()

/// mtmc-bench engine: trains the reference net on random data and compares with PyTorch when it is installed.
/// mtmc-bench data: dataset load time and memory, and augmentation speed.
let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, ["engine", "data"].contains(command) else {
    print("usage: mtmc-bench engine [--threads N] [--windows N] [--no-torch]\n       mtmc-bench data [--threads N] [--images N]")
    exit(arguments.isEmpty ? 1 : 2)
}
func option(_ name: String) -> Int? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return Int(arguments[i + 1])
}
let settings = EngineBenchmark.Settings(threads: option("--threads") ?? 2, windows: option("--windows") ?? 5)
do {
    if command == "data" {
        try DataBenchmark.run(threads: settings.threads, images: option("--images") ?? 10_000)
        exit(0)
    }
    let ours = try EngineBenchmark.run(settings)
    let torch = arguments.contains("--no-torch") ? nil : PyTorchReference.run(settings)
    EngineBenchmark.report(ours: ours, torch: torch, settings: settings)
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
