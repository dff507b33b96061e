import Engine
import Foundation
import MTMC

/// Figures of one training/inference benchmark run of one model.
struct BenchmarkFigures: Codable {
    var trainImagesPerSecond: [Double]
    var evalImagesPerSecond: [Double]
    var latencyMilliseconds: [Double]
    /// The process's peak resident set when training ends (before evaluation, whose folded weights are not training's).
    var peakResidentMegabytes: Double
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
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Images/s of each window of `steps` calls of `body`, each call handling `images` images.
    static func windows(_ count: Int, steps: Int, images: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try (0..<count).map { _ in
            let start = now()
            for _ in 0..<steps { try body() }
            return Double(images * steps) / (now() - start)
        }
    }

    static func run(_ s: Settings) throws -> BenchmarkFigures {
        Threads.count = s.threads
        guard let architecture = s.architecture else { throw EngineError("unknown model \(s.model); use tiny, resnet18 or darknet") }
        var rng = RandomGenerator(seed: 1)
        let device: Device = s.device == "cuda" ? .cuda(try CUDADevice.shared.get()) : .cpu
        let net = MultiTaskModel(architecture: architecture, classesPerTask: s.classes, seed: 7)
        net.move(to: device)
        let sgd = SGD(parameters: net.namedParameters(), learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        let x = Variable(Initializer.normal(shape: [s.batch, 3, s.size, s.size], std: 1, rng: &rng).to(device))
        // A GPU runs ahead of the host: reading a result waits for it (a training step reads its loss anyway).
        func finished(_ y: Variable) { if !device.isCPU { _ = y.value.scalars } }
        let labels = s.classes.map { k in (0..<s.batch).map { _ in Int(rng.next() % UInt64(k)) } }
        var step = 0
        func trainStep() throws {
            let task = step % 2
            let loss = try crossEntropy(try net(x, task: task), labels: labels[task])
            sgd.zeroGrad()
            try loss.backward()
            try sgd.step()
            step += 1
        }
        net.setTraining(true)
        try trainStep()  // warm-up: buffers, OpenBLAS threads
        let train = try windows(s.windows, steps: s.stepsPerWindow, images: s.batch, trainStep)
        let trainingPeak = peakResidentMegabytes()
        net.setTraining(false)
        let single = Variable(Initializer.normal(shape: [1, 3, s.size, s.size], std: 1, rng: &rng).to(device))
        let (evaluation, latency) = try GradMode.withoutGradients { () throws -> ([Double], [Double]) in
            finished(try net(x, task: 0))
            let rates = try windows(s.windows, steps: 2, images: s.batch) { finished(try net(x, task: step % 2)); step += 1 }
            finished(try net(single, task: 0))
            let latencies = try (0..<s.latencyRuns).map { _ in
                let start = now()
                finished(try net(single, task: 0))
                return (now() - start) * 1000
            }
            return (rates, latencies)
        }
        return BenchmarkFigures(trainImagesPerSecond: train, evalImagesPerSecond: evaluation,
                                latencyMilliseconds: latency, peakResidentMegabytes: trainingPeak)
    }

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
