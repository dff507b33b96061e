import Engine
import Foundation
import MTMC

/// Figures of one training/inference benchmark run of the reference net.
struct BenchmarkFigures {
    var trainImagesPerSecond: Double
    var evalImagesPerSecond: Double
    var latencyMilliseconds: Double
    var peakResidentMegabytes: Double
}

/// The engine benchmark: batch 64, 3×64×64 inputs, SGD momentum 0.9, weight decay 1e-4, steps alternating heads.
enum EngineBenchmark {
    struct Settings {
        var threads: Int
        var windows: Int
        let batch = 64, size = 64, stepsPerWindow = 4
        let classes = [10, 6]
    }

    /// Multiply-adds ×2 of the convolutions and linears of the tiny net for one h×w image, forward only.
    static func forwardFLOPs(height: Int, width: Int) -> Double {
        let widths = [3, 32, 64, 128, 256]
        var flops = 0.0, area = Double(height * width)
        for i in 0..<4 {
            flops += 2 * Double(widths[i] * 9 * widths[i + 1]) * area
            if i < 3 { area /= 4 }
        }
        return flops + 2 * 256 * 256 + 2 * 256 * 10
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func randomBatch(_ n: Int, _ size: Int, rng: inout RandomGenerator) -> Tensor {
        Initializer.normal(shape: [n, 3, size, size], std: 1, rng: &rng)
    }

    static func run(_ s: Settings) throws -> BenchmarkFigures {
        Threads.count = s.threads
        var rng = RandomGenerator(seed: 1)
        // The reference net is the `tiny` backbone with one MTMC head per task.
        let net = MultiTaskModel(architecture: .tiny, classesPerTask: s.classes, seed: 7)
        let sgd = SGD(parameters: net.namedParameters(), learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        let x = Variable(randomBatch(s.batch, s.size, rng: &rng))
        let labels = s.classes.map { k in (0..<s.batch).map { _ in Int(rng.next() % UInt64(k)) } }

        var step = 0
        func trainStep() throws {
            let task = step % 2
            let loss = try crossEntropy(try net(x, task: task), labels: labels[task])
            try loss.backward()
            try sgd.step()
            sgd.zeroGrad()
            step += 1
        }
        net.setTraining(true)
        for _ in 0..<3 { try trainStep() }
        var train: [Double] = []
        for _ in 0..<s.windows {
            let start = now()
            for _ in 0..<s.stepsPerWindow { try trainStep() }
            train.append(Double(s.batch * s.stepsPerWindow) / (now() - start))
        }

        net.setTraining(false)
        let single = Variable(randomBatch(1, s.size, rng: &rng))
        let (evaluation, latency) = try GradMode.withoutGradients { () throws -> (Double, Double) in
            _ = try net(x, task: 0)
            var rates: [Double] = []
            for _ in 0..<s.windows {
                let start = now()
                for task in 0..<2 { _ = try net(x, task: task) }
                rates.append(Double(2 * s.batch) / (now() - start))
            }
            var latencies: [Double] = []
            for _ in 0..<20 {
                let start = now()
                _ = try net(single, task: 0)
                latencies.append((now() - start) * 1000)
            }
            return (median(rates), median(latencies))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return BenchmarkFigures(trainImagesPerSecond: median(train), evalImagesPerSecond: evaluation,
                                latencyMilliseconds: latency, peakResidentMegabytes: Double(usage.ru_maxrss) / 1024)
    }

    static func report(ours: BenchmarkFigures, torch: BenchmarkFigures?, settings s: Settings) {
        print("engine benchmark: reference tiny net, batch \(s.batch), 3×\(s.size)×\(s.size), \(s.threads) threads, median of \(s.windows) windows")
        func row(_ name: String, _ a: Double, _ b: Double?, _ format: String, higherIsBetter: Bool) {
            let mine = String(format: format, a)
            let theirs = b.map { String(format: format, $0) } ?? "—"
            let ratio = b.map { String(format: "%.2f", a / $0) } ?? "—"
            print(name.padding(toLength: 26, withPad: " ", startingAt: 0)
                  + mine.leftPadded(12) + theirs.leftPadded(12) + ratio.leftPadded(10)
                  + (b == nil ? "" : higherIsBetter ? "  (>1: mtmc faster)" : "  (<1: mtmc better)"))
        }
        print("figure".padding(toLength: 26, withPad: " ", startingAt: 0) + "mtmc".leftPadded(12) + "PyTorch".leftPadded(12) + "mtmc/PT".leftPadded(10))
        row("train images/s", ours.trainImagesPerSecond, torch?.trainImagesPerSecond, "%.1f", higherIsBetter: true)
        row("eval images/s (batch 64)", ours.evalImagesPerSecond, torch?.evalImagesPerSecond, "%.1f", higherIsBetter: true)
        row("batch-1 latency ms", ours.latencyMilliseconds, torch?.latencyMilliseconds, "%.2f", higherIsBetter: false)
        row("peak resident MB", ours.peakResidentMegabytes, torch?.peakResidentMegabytes, "%.0f", higherIsBetter: false)
        if torch == nil { print("PyTorch: not found (pip install torch) or --no-torch given; no ratios") }
        let trainFLOPs = 3 * forwardFLOPs(height: s.size, width: s.size)
        let achieved = ours.trainImagesPerSecond * trainFLOPs / 1e9
        print(String(format: "training arithmetic: %.2f GFLOP per image, %.1f GFLOP/s achieved = %.0f%% of the ~200 GFLOP/s sgemm ceiling",
                     trainFLOPs / 1e9, achieved, achieved / 2))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
