import Engine
import Foundation
import MTMC

ProcessSetup.prepareOpenBLAS()
setvbuf(stdout, nil, _IOLBF, 0)  // progress lines show as they happen when the output goes to a file

let usage = """
    usage: mtmc-bench all [--threads N] [--windows N]     every row of BENCHMARKS.md, mtmc beside PyTorch
           mtmc-bench --help                             this text (so does -h or help anywhere on the line)
           mtmc-bench engine [--model tiny|resnet18|darknet] [--size S] [--batch B] [--threads N]
                             [--windows N] [--steps N] [--latency-runs N] [--no-torch] [--onnx] [--compiled]
                             (mtmc's windows alternate with PyTorch's; --serve: one window per stdin line;
                             --onnx, --compiled: also beside ONNX Runtime, torch.compile (tools/bench/bench-venv.sh))
           mtmc-bench data [--threads N] [--images N]    load time and memory of a tree of small PNGs
           mtmc-bench pipeline [--threads N] [--no-torch] the data pipeline row alone (3000 256×256 JPEGs), beside PyTorch
           mtmc-bench predict                            the one-off predict row alone
           mtmc-bench train-row [--threads N] [--epochs N] the train command row alone: each `train 1` epoch
                                                          between two windows of the pure tiny b64 step
           mtmc-bench conv [--threads N] [--rounds N] [--only TEXT]
                                                          each 3×3 convolution shape, im2col beside Winograd F(2,3), F(4,3)
           mtmc-bench engine --device cuda …             the engine rows on the GPU, beside PyTorch-CUDA (FP32, no TF32)
           mtmc-bench cuda-parity                        every op on the GPU against the CPU backend (1e-3)
           mtmc-bench cuda-compile [--arch sm_90]        compile the kernels into the kernel cache (no GPU needed)
           mtmc-bench cache TREE [--size 64] [--threads N] [--modes memory,disk,disk-jpeg,none] [--folder DIR] [--no-torch]
                             [--images N]                cache build, disk size, pipeline img/s and memory per cache mode
                                                          (--images: time the pipelines on N images, not a whole epoch;
                             [--orders shuffle,chunks]    --orders: each epoch order in turn, cold from a fresh load)
           mtmc-bench one-pass TREE MIXED|PER-TASK|SHARED SEED EPOCHS SIZE
                                                          val top-1 per task of the tiny model as the shell trains it
    """
let arguments = Array(CommandLine.arguments.dropFirst())
// Help anywhere on the line prints the usage instead of starting a run of minutes; so does an option no
// command reads (a misspelt one would otherwise be ignored and the run measure something else).
if arguments.contains(where: { ["--help", "-h", "help"].contains($0) }) {
    print(usage)
    exit(0)
}
let knownOptions: Set = ["--threads", "--windows", "--model", "--size", "--batch", "--steps", "--latency-runs", "--no-torch", "--serve", "--onnx", "--compiled",
                         "--device", "--images", "--modes", "--folder", "--orders", "--rounds", "--only", "--epochs", "--arch"]
if let unknown = arguments.first(where: { $0.hasPrefix("--") && !knownOptions.contains($0) }) {
    print("mtmc-bench: unknown option \(unknown)\n" + usage)
    exit(2)
}
guard let command = arguments.first, ["all", "engine", "data", "pipeline", "predict", "train-row", "conv", "cuda-parity", "cuda-compile", "cache", "one-pass"].contains(command) else {
    print(usage)
    exit(arguments.isEmpty ? 1 : 2)
}
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
func number(_ name: String, _ fallback: Int) -> Int { option(name).flatMap { Int($0) } ?? fallback }

do {
    let threads = number("--threads", 2)
    // Every benchmark runs in one context of `threads` threads, as a session would.
    try HostResources(threads: threads).run {
        switch command {
        case "all":
            try FullBenchmark.run(threads: threads, windows: number("--windows", 5))
        case "data":
            try DataBenchmark.runLoad(threads: threads, images: number("--images", 10_000))
        case "cache":
            guard arguments.count > 1 else { print(usage); exit(2) }
            let modes = (option("--modes") ?? "memory,disk,disk-jpeg,none").split(separator: ",").compactMap { word -> (CacheMode, CacheFormat)? in
                word == "disk-jpeg" ? (.disk, .jpeg) : CacheMode(rawValue: String(word)).map { ($0, .raw) }
            }
            try CacheBenchmark.run(tree: arguments[1], input: number("--size", 64), threads: threads, modes: modes,
                                   folder: option("--folder") ?? CacheOptions.defaultFolder, torch: !arguments.contains("--no-torch"),
                                   images: option("--images").flatMap { Int($0) },
                                   orders: (option("--orders") ?? "shuffle").split(separator: ",").compactMap { EpochOrder(rawValue: String($0)) })
        case "one-pass":
            guard arguments.count == 6, let seed = UInt64(arguments[3]), let epochs = Int(arguments[4]), let size = Int(arguments[5]) else {
                print(usage); exit(2)
            }
            try OnePassAccuracy.run(tree: arguments[1], mode: arguments[2].lowercased(), seed: seed, epochs: epochs, size: size)
        case "conv":
            try ConvolutionBenchmark.run(threads: threads, rounds: number("--rounds", 5), filter: option("--only"))
        case "predict":
            let row = try ProcessBenchmark.predictRow(tree: try DataBenchmark.makeTree(count: 3000, side: 256, jpeg: true))
            print(FullBenchmark.table([row]))
        case "train-row":
            let tree = try DataBenchmark.makeTree(count: 3000, side: 256, jpeg: true)
            print(FullBenchmark.table([try TrainCommandBenchmark.row(tree: tree, threads: threads, epochs: number("--epochs", 7))]))
        case "cuda-parity":
            let gpu = try CUDADevice.shared.get()
            gpu.summary.forEach { print($0) }
            let passed = try CUDAParity.run(.cuda(gpu))
            print(gpu.convolutionReport ?? "convolutions: mtmc's im2col and GEMM kernels (no cuDNN)")
            if !passed { exit(1) }
        case "cuda-compile":
            print("wrote " + (try CUDAKernelCache.precompile(architecture: option("--arch") ?? "sm_90")))
        case "pipeline":
            let tree = try DataBenchmark.makeTree(count: 3000, side: 256, jpeg: true)
            print(FullBenchmark.table([try ProcessBenchmark.pipelineRow(tree: tree, threads: threads, torch: !arguments.contains("--no-torch"))]))
        default:
            let s = EngineBenchmark.Settings(model: option("--model") ?? "tiny", size: number("--size", 64), batch: number("--batch", 64),
                                             threads: threads, windows: number("--windows", 5), stepsPerWindow: number("--steps", 4),
                                             latencyRuns: number("--latency-runs", 20), device: option("--device") ?? "cpu")
            if arguments.contains("--serve") {
                try EngineSession(s).serve()
                break
            }
            let result = try AlternatingBenchmark.run(s, ours: try EngineSession(s), torch: !arguments.contains("--no-torch"),
                                                      onnx: arguments.contains("--onnx"), compiled: arguments.contains("--compiled"))
            if s.device == "cuda", let gpu = try? CUDADevice.shared.get() {
                // Which libraries this run's products and convolutions went through.
                gpu.summary.filter { $0.hasPrefix("cuBLAS") || $0.hasPrefix("cuDNN") }.forEach { print($0) }
                print(gpu.convolutionReport ?? "convolutions: mtmc's im2col and GEMM kernels (no cuDNN)")
            }
            if result.peer != nil { print("PyTorch layout: \(result.layout)") }
            let deployment = result.deploymentRows(s)
            print(FullBenchmark.table(result.rows(s, targets: .init()) + deployment.rows))
            deployment.notes.forEach { print($0) }
        }
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
