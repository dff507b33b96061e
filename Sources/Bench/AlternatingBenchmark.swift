import Engine
import Foundation

/// A side of the engine benchmark that runs one window per command: `train` (images/s of one window of
/// training steps), `eval` (images/s of one window of evaluation), `latency` (ms of each batch-1 run of one
/// window), `rss` (peak resident MB so far; asked when training ends).
protocol BenchmarkSide: AnyObject {
    var name: String { get }
    /// The phases (train, eval, latency) this side runs windows of; a side that trains is also asked `rss`.
    var phases: Set<String> { get }
    func request(_ command: String) throws -> [Double]
    func close()
}

extension BenchmarkSide {
    var phases: Set<String> { AlternatingBenchmark.allPhases }
}

/// mtmc's windows alternating with PyTorch's, so that a change of load on the machine (other processes
/// come and go) falls on both sides alike rather than on whichever ran second; each ratio is the median
/// of the ratios of windows run next to each other.
enum AlternatingBenchmark {
    struct Result {
        var mtmc: BenchmarkFigures
        /// The figures of PyTorch's faster layout (by median training rate); nil without torch.
        var peer: BenchmarkFigures?
        var layout: String
        /// ONNX Runtime's evaluation and latency, and compiled PyTorch's training, when asked for; each
        /// either the figures or the reason it did not run.
        var onnxRuntime: Swift.Result<BenchmarkFigures, EngineError>? = nil
        var compiled: Swift.Result<BenchmarkFigures, EngineError>? = nil
    }

    static let allPhases: Set = ["train", "eval", "latency"]

    /// Idle time before each window, so that the previous side's worker threads (OpenBLAS and OpenMP spin a
    /// while after their last task) are asleep when the next side's clock starts.
    static let settle = 0.1

    /// mtmc (`ours`) beside engine_bench.py in each layout, when torch is importable; with `onnx`, also beside
    /// ONNX Runtime (evaluation, latency), with `compiled` beside torch.compile (training), each in its own process.
    static func run(_ s: EngineBenchmark.Settings, ours: BenchmarkSide, torch: Bool, onnx: Bool = false, compiled: Bool = false) throws -> Result {
        let peers = torch ? PyTorchReference.engineSides(s) : []
        let ort = onnx ? PyTorchReference.onnxRuntimeSide(s) : nil, inductor = compiled ? PyTorchReference.compiledSide(s) : nil
        let sides = [ours] + peers + [ort, inductor].compactMap { try? $0?.get() }
        defer { sides.forEach { $0.close() } }
        let figures = try alternate(sides, windows: s.windows)
        let best = peers.indices.map { $0 + 1 }.max { median(figures[$0].trainImagesPerSecond) < median(figures[$1].trainImagesPerSecond) }
        var result = Result(mtmc: figures[0], peer: best.map { figures[$0] }, layout: best.map { sides[$0].name } ?? "—")
        func figuresOf(_ side: Swift.Result<BenchmarkSide, EngineError>) -> Swift.Result<BenchmarkFigures, EngineError> {
            side.map { chosen in figures[sides.firstIndex { $0 === chosen }!] }
        }
        result.onnxRuntime = ort.map(figuresOf)
        result.compiled = inductor.map(figuresOf)
        return result
    }

    /// Every side's windows, phase by phase (training, evaluation, latency). In window w the sides take
    /// turns, in reverse order when w is odd, so that a steady drift of the load favours none of them.
    static func alternate(_ sides: [BenchmarkSide], windows: Int, settle: Double = settle) throws -> [BenchmarkFigures] {
        var figures = Array(repeating: BenchmarkFigures(), count: sides.count)
        for phase in ["train", "eval", "latency"] {
            let taking = sides.indices.filter { sides[$0].phases.contains(phase) }
            for w in 0..<windows {
                for i in turns(taking.count, window: w).map({ taking[$0] }) {
                    if sides.count > 1 { Thread.sleep(forTimeInterval: settle) }
                    let values = try sides[i].request(phase)
                    guard let first = values.first else { throw EngineError("\(sides[i].name) answered \(phase) with nothing") }
                    switch phase {
                    case "train": figures[i].trainImagesPerSecond.append(first)
                    case "eval": figures[i].evalImagesPerSecond.append(first)
                    default: figures[i].latencyWindows.append(values)
                    }
                }
            }
            if phase == "train" {
                for i in taking { figures[i].peakResidentMegabytes = try sides[i].request("rss").first ?? .nan }
            }
        }
        return figures
    }

    /// The order in which `count` sides run window `window`.
    static func turns(_ count: Int, window: Int) -> [Int] {
        window % 2 == 0 ? Array(0..<count) : Array((0..<count).reversed())
    }

    /// The ratios a[i] / b[i] of windows run next to each other (the table shows their median).
    static func pairRatios(_ a: [Double], _ b: [Double]) -> [Double] {
        zip(a, b).map { $0 / $1 }
    }
}

/// The middle value (the mean of the two middle ones for an even count); NaN for none.
func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
