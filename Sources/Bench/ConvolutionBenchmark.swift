import Engine
import Foundation

/// `mtmc-bench conv`: every 3×3 stride-1 convolution shape of tiny, ResNet-18 and Darknet at batch 64 (and the
/// batch-1 latency shapes), timed through im2col and through Winograd F(2,3) and F(4,3) in the same process,
/// the three alternating so that load from other processes falls on all of them alike; best of `rounds`.
/// The forward pass of evaluation (the transformed weights kept from the previous call, as evaluation runs), the
/// input gradient (a training forward + backward with only dx wanted, less a training forward, which transforms
/// the weights anew) and the weight gradient (the same with only dw wanted) are timed apart, since each is a
/// dispatch of its own. The clock is the process's CPU time (user + system), which
/// other processes' load on a shared machine disturbs far less than wall time; with `--threads 1` it is the
/// work itself (OpenBLAS's spinning threads add to it with more). This is the measurement behind
/// `WinogradPlan.automatic`.
enum ConvolutionBenchmark {
    /// (name, batch, in channels, out channels, side)
    static let shapes: [(String, Int, Int, Int, Int)] = [
        ("tiny/darknet 32→64 @32", 64, 32, 64, 32), ("tiny/darknet 64→128 @16", 64, 64, 128, 16),
        ("tiny 128→256 @8", 64, 128, 256, 8), ("darknet 128→256 @8", 64, 128, 256, 8),
        ("darknet 256→512 @4", 64, 256, 512, 4),
        ("resnet18-64 64 @16", 64, 64, 64, 16), ("resnet18-64 128 @8", 64, 128, 128, 8),
        ("resnet18-64 256 @4", 64, 256, 256, 4), ("resnet18-64 512 @2", 64, 512, 512, 2),
        ("resnet18-224 64 @56", 64, 64, 64, 56), ("resnet18-224 128 @28", 64, 128, 128, 28),
        ("resnet18-224 256 @14", 64, 256, 256, 14), ("resnet18-224 512 @7", 64, 512, 512, 7),
        ("b1 tiny 32→64 @32", 1, 32, 64, 32), ("b1 tiny 128→256 @8", 1, 128, 256, 8),
        ("b1 resnet18-224 64 @56", 1, 64, 64, 56), ("b1 resnet18-224 512 @7", 1, 512, 512, 7),
    ]

    static func run(threads: Int, rounds: Int, filter: String?) throws {
        print("CPU ms, best of \(rounds), \(threads) thread(s)")
        print("| shape | im2col fwd ms | F(2,3) | F(4,3) | im2col dx ms | F(2,3) | F(4,3) | im2col dw ms | F(2,3) | F(4,3) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        let uses: [WinogradUse] = [.off, .f2, .f4]
        for (name, n, c, oc, side) in shapes where filter.map({ name.contains($0) }) ?? true {
            var rng = RandomGenerator(seed: 1)
            // Batches in the layout the CPU computes in, as they arrive from the layer before: no conversion timed.
            let x = Initializer.normal(shape: [n, c, side, side], std: 1, rng: &rng).inLayout(.cnhw)
            let w = Variable(Initializer.normal(shape: [oc, c, 3, 3], std: 0.05, rng: &rng))
            let trainedW = Variable(w.value, requiresGrad: true)
            let seed = Initializer.normal(shape: [n, oc, side, side], std: 1, rng: &rng).inLayout(.cnhw)
            var forward = [Double](repeating: .infinity, count: 3), trainingForward = forward, both = forward
            var weightForward = forward, weightBoth = forward
            for _ in 0..<rounds {
                for (i, use) in uses.enumerated() {
                    forward[i] = min(forward[i], try time { _ = try GradMode.withoutGradients { try conv2d(Variable(x), w, padding: (1, 1), convolution: use) } })
                    trainingForward[i] = min(trainingForward[i], try time { _ = try conv2d(Variable(x, requiresGrad: true), w, padding: (1, 1), convolution: use) })
                    both[i] = min(both[i], try time {
                        let y = try conv2d(Variable(x, requiresGrad: true), w, padding: (1, 1), convolution: use)
                        try y.backward(seed: seed)
                    })
                    weightForward[i] = min(weightForward[i], try time { _ = try conv2d(Variable(x), trainedW, padding: (1, 1), convolution: use) })
                    weightBoth[i] = min(weightBoth[i], try time {
                        try conv2d(Variable(x), trainedW, padding: (1, 1), convolution: use).backward(seed: seed)
                    })
                }
            }
            let f = forward.map { String(format: "%.2f", $0 * 1000) }
            let d = zip(both, trainingForward).map { String(format: "%.2f", max(0, $0 - $1) * 1000) }
            let dw = zip(weightBoth, weightForward).map { String(format: "%.2f", max(0, $0 - $1) * 1000) }
            print("| \(name) | \(f.joined(separator: " | ")) | \(d.joined(separator: " | ")) | \(dw.joined(separator: " | ")) |")
        }
    }

    private static func time(_ body: () throws -> Void) throws -> Double {
        let start = cpuSeconds()
        try body()
        return cpuSeconds() - start
    }

    /// clock(): the process's CPU time, all threads.
    private static func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
}
