import Engine
import Foundation
import MTMC

/// One model of the engine benchmark, ready to run its windows one at a time (so that they can alternate
/// with the peer's): the net, the optimizer and the inputs of `EngineBenchmark.Settings`.
final class EngineSession: BenchmarkSide {
    let name = "mtmc"
    let settings: EngineBenchmark.Settings
    let device: Device
    let net: MultiTaskModel
    let sgd: SGD
    let batch: Variable
    let single: Variable
    let labels: [[Int]]
    private var step = 0
    private var evaluating = false

    init(_ s: EngineBenchmark.Settings) throws {
        guard let architecture = s.architecture else { throw EngineError("unknown model \(s.model); use tiny, resnet18 or darknet") }
        settings = s
        var rng = RandomGenerator(seed: 1)
        device = s.device == "cuda" ? .cuda(try CUDADevice.shared.get()) : .cpu
        net = MultiTaskModel(architecture: architecture, classesPerTask: s.classes, seed: 7)
        net.use(.fromEnvironment())
        net.move(to: device)
        sgd = SGD(parameters: net.namedParameters())
        batch = Variable(Initializer.normal(shape: [s.batch, 3, s.size, s.size], std: 1, rng: &rng).to(device))
        labels = s.classes.map { k in (0..<s.batch).map { _ in Int(rng.next() % UInt64(k)) } }
        single = Variable(Initializer.normal(shape: [1, 3, s.size, s.size], std: 1, rng: &rng).to(device))
        net.setTraining(true)
        try trainStep()  // warm-up: buffers, OpenBLAS threads
    }

    /// A GPU runs ahead of the host: reading a result waits for it (a training step reads its loss anyway).
    private func finished(_ y: Variable) { if !device.isCPU { _ = y.value.scalars } }

    private func trainStep() throws {
        let task = step % 2
        let loss = try crossEntropy(try net(batch, task: task), labels: labels[task])
        sgd.zeroGrad()
        try loss.backward()
        try sgd.step(SGDHyperparameters(learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4))
        step += 1
    }

    /// Images/s of `stepsPerWindow` training steps.
    func trainWindow() throws -> Double {
        let start = EngineBenchmark.now()
        for _ in 0..<settings.stepsPerWindow { try trainStep() }
        return Double(settings.batch * settings.stepsPerWindow) / (EngineBenchmark.now() - start)
    }

    /// Images/s of two evaluation batches (one per task); the first call switches to evaluation and warms up, untimed.
    func evalWindow() throws -> Double {
        try GradMode.withoutGradients {
            if !evaluating {
                net.setTraining(false)
                evaluating = true
                finished(try net(batch, task: 0))
            }
            let start = EngineBenchmark.now()
            for task in 0..<2 { finished(try net(batch, task: task)) }
            return Double(2 * settings.batch) / (EngineBenchmark.now() - start)
        }
    }

    /// Milliseconds of each of `latencyRuns` batch-1 evaluations, after one untimed run.
    func latencyWindow() throws -> [Double] {
        if !evaluating { _ = try evalWindow() }
        return try GradMode.withoutGradients {
            finished(try net(single, task: 0))
            return try (0..<settings.latencyRuns).map { _ in
                let start = EngineBenchmark.now()
                finished(try net(single, task: 0))
                return (EngineBenchmark.now() - start) * 1000
            }
        }
    }

    /// One window of the line protocol of `BenchmarkSide`.
    func request(_ command: String) throws -> [Double] {
        switch command {
        case "train": [try trainWindow()]
        case "eval": [try evalWindow()]
        case "latency": try latencyWindow()
        case "rss": [peakResidentMegabytes()]
        default: throw EngineError("unknown benchmark command \(command); use train, eval, latency, rss or quit")
        }
    }

    func close() {}

    /// `mtmc-bench engine --serve`: this session as a `WindowProcess` of a driver in another process.
    func serve() throws {
        print("ready")
        while let line = readLine(), line != "quit" {
            print(String(decoding: try JSONEncoder().encode(try request(line)), as: UTF8.self))
        }
    }
}
