import Engine
import Foundation
import MTMC

/// One side's figures of one model, window by window.
struct BenchmarkFigures {
    var trainImagesPerSecond: [Double] = []
    var evalImagesPerSecond: [Double] = []
    /// Per window, the milliseconds of each batch-1 run.
    var latencyWindows: [[Double]] = []
    /// The process's peak resident set when training ends (before evaluation, whose folded weights are not training's).
    var peakResidentMegabytes = 0.0

    var latencyMilliseconds: [Double] { latencyWindows.flatMap { $0 } }
}

/// The engine benchmark of one model: random 3×S×S inputs, two heads (10 and 6 classes) whose training
/// steps alternate, SGD momentum 0.9 and weight decay 1e-4: the work of a `train` step without the data.
enum EngineBenchmark {
    struct Settings {
        var model = "tiny"
        var size = 64
        var batch = 64
        var threads = 2
        var windows = 5
        var stepsPerWindow = 4
        /// Timed batch-1 runs per latency window.
        var latencyRuns = 20
        /// cpu or cuda.
        var device = "cpu"
        let classes = [10, 6]

        var architecture: Architecture? {
            switch model {
            case "tiny": .tiny
            case "resnet18": .resnet18(zeroGamma: false, resnetD: false)
            case "darknet": .darknet
            default: nil
            }
        }

        /// The options that give these settings to `mtmc-bench engine` (and, with `--steps-per-window`, to engine_bench.py).
        func arguments(stepsOption: String = "--steps") -> [String] {
            ["--model", model, "--size", "\(size)", "--batch", "\(batch)", "--threads", "\(threads)",
             stepsOption, "\(stepsPerWindow)", "--latency-runs", "\(latencyRuns)", "--device", device]
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Multiply-adds ×2 of one training step per image (forward, input and weight gradients: 3× the
    /// forward's convolutions and linears), counted by running the model's shapes.
    static func trainingFLOPs(_ s: Settings) throws -> Double {
        3 * (try ForwardFLOPs.count(s.architecture!, size: s.size, classes: s.classes[0]))
    }
}

/// The peak resident set of this process, in MB.
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
