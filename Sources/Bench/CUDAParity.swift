import Engine
import Foundation

/// Op-by-op parity of the CUDA backend with the CPU backend on a GPU (tools/gpu-check.sh): every op,
/// forward and backward, on random inputs of the shapes ResNet-18 uses; the error of each result is its
/// largest difference over its largest magnitude, within 1e-3 to pass.
enum CUDAParity {
    static let tolerance = 1e-3

    /// Prints one line per op and returns whether all passed.
    static func run(_ gpu: Device) throws -> Bool {
        var allPassed = true
        for (name, body) in cases {
            let reference = try body(.cpu), candidate = try body(gpu)
            var worst = 0.0, onDevice = true
            for ((_, expected), (_, actual)) in zip(reference, candidate) {
                // A loss is a host scalar by design (the metric out); everything else stays on the GPU.
                onDevice = onDevice && (actual.device == gpu || actual.rank == 0)
                worst = max(worst, relativeError(actual.scalars, expected.scalars))
            }
            let passed = worst <= tolerance && onDevice && !reference.isEmpty
            allPassed = allPassed && passed
            print("  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + (passed ? " ok   " : " FAIL ")
                  + String(format: "max rel. error %.2e over %d results", worst, reference.count) + (onDevice ? "" : " (a result left the GPU)"))
        }
        return allPassed
    }

    static func relativeError(_ a: [Float], _ e: [Float]) -> Double {
        guard a.count == e.count else { return .infinity }
        let scale = max(Double(e.map { abs($0) }.max() ?? 0), 1e-12)
        return zip(a, e).map { Double(abs($0 - $1)) }.max().map { $0 / scale } ?? 0
    }

    typealias Case = (String, (Device) throws -> [(String, Tensor)])

    static func random(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Initializer.normal(shape: shape, std: 1, rng: &rng)
    }

    /// Runs `forward` on fresh leaves of `shapes` on `device`, back-propagates a random seed, and returns
    /// the output and every leaf's gradient.
    static func gradients(_ device: Device, _ shapes: [[Int]], _ forward: ([Variable]) throws -> Variable) throws -> [(String, Tensor)] {
        let leaves = shapes.enumerated().map { Variable(random($1, UInt64($0 + 1)).to(device), requiresGrad: true) }
        let y = try forward(leaves)
        try y.backward(seed: random(y.shape, 99).to(device))
        return [("out", y.value)] + leaves.enumerated().map { ("grad \($0)", $1.grad!) }
    }

    static let cases: [Case] = [
        ("conv 3×3 s1 p1 64→64 28×28 b8 +bias", { d in try gradients(d, [[8, 64, 28, 28], [64, 64, 3, 3], [64]]) {
            try conv2d($0[0], $0[1], $0[2], stride: (1, 1), padding: (1, 1)) } }),
        ("conv 3×3 s2 p1 64→128 CNHW", { d in try gradients(d, [[8, 64, 28, 28], [128, 64, 3, 3]]) {
            try conv2d(try inLayout($0[0], .cnhw), $0[1], stride: (2, 2), padding: (1, 1)) } }),
        ("conv 7×7 s2 p3 3→64 112×112 b4", { d in try gradients(d, [[4, 3, 112, 112], [64, 3, 7, 7]]) {
            try conv2d($0[0], $0[1], stride: (2, 2), padding: (3, 3)) } }),
        ("conv 1×1 s1 CNHW (pointwise)", { d in try gradients(d, [[8, 64, 14, 14], [128, 64, 1, 1]]) {
            try conv2d(try inLayout($0[0], .cnhw), $0[1]) } }),
        ("batch norm training + ReLU CNHW", { d in try gradients(d, [[8, 64, 28, 28], [64], [64]]) {
            try batchNorm(try inLayout($0[0], .cnhw), weight: $0[1], bias: $0[2], runningMean: Variable(Tensor(zeros: [64]).to(d)),
                          runningVar: Variable(Tensor(shape: [64], repeating: 1).to(d)), training: true, relu: true) } }),
        ("batch norm evaluation NCHW", { d in try gradients(d, [[8, 64, 28, 28], [64], [64]]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: Variable(random([64], 5).to(d)),
                          runningVar: Variable(Tensor(shape: [64], repeating: 2).to(d)), training: false) } }),
        ("max pool 3×3 s2 p1", { d in try gradients(d, [[8, 64, 56, 56]]) { try maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) } }),
        ("avg pool 3×3 s2 p1 ceil, no pad count", { d in try gradients(d, [[8, 16, 15, 15]]) {
            try avgPool2d($0[0], kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) } }),
        ("global average pool CNHW", { d in try gradients(d, [[8, 512, 7, 7]]) { try globalAvgPool(try inLayout($0[0], .cnhw)) } }),
        ("linear 512→10 +bias", { d in try gradients(d, [[64, 512], [10, 512], [10]]) { try linear($0[0], $0[1], $0[2]) } }),
        ("leaky ReLU 0.1 + add", { d in try gradients(d, [[8, 64, 28, 28], [8, 64, 28, 28]]) { try add(leakyReLU($0[0], slope: 0.1), $0[1]) } }),
        ("cross entropy, soft targets, smoothing 0.1", { d in try gradients(d, [[64, 10]]) {
            try crossEntropy($0[0], targetDistribution: Tensor(shape: [64, 10], repeating: 0.1).to(d), labelSmoothing: 0.1) } }),
        ("SGD Nesterov and AdamW, 3 steps each", { d in
            let (p, q) = (Variable(random([256, 64], 3).to(d), requiresGrad: true), Variable(random([256, 64], 4).to(d), requiresGrad: true))
            let sgd = SGD(parameters: [NamedVariable(name: "p", variable: p)])
            let adam = AdamW(parameters: [NamedVariable(name: "q", variable: q)], learningRate: 0.01, weightDecay: 0.05)
            for step in 0..<3 {
                p.grad = random([256, 64], UInt64(10 + step)).to(d)
                q.grad = random([256, 64], UInt64(20 + step)).to(d)
                try sgd.step(SGDHyperparameters(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4))
                try adam.step()
            }
            return [("sgd", p.value), ("adamw", q.value)]
        }),
        // The paths of a training step beyond the ops: batches copied ahead (pinned staging, a copy stream, three
        // copies so that the ring of two staging buffers wraps, each after kernels still queued), the one-flag
        // finite check over many tensors, and the weight average's blend.
        ("batches copied ahead while kernels run", { d in
            let w = Variable(random([64, 64, 3, 3], 30).to(d))
            var outputs: [(String, Tensor)] = []
            for i in 0..<3 {
                let x = random([8, 64, 28, 28], UInt64(31 + i)).prefetched(to: d)
                outputs.append(("conv of batch \(i)", try conv2d(Variable(x), w, padding: (1, 1)).value))
            }
            return outputs
        }),
        ("finite check of 20 tensors; EMA blend", { d in
            var tensors = (0..<20).map { random([1000], UInt64(40 + $0)) }
            tensors[13].withUnsafeMutableBufferPointer { $0[999] = .nan }
            tensors[17].withUnsafeMutableBufferPointer { $0[0] = .infinity }
            let onDevice = tensors.map { $0.to(d) }
            let first = Tensor.firstNonFinite(in: onDevice).map(Float.init) ?? -1
            var average = random([4096], 60).to(d)
            average.blend(toward: random([4096], 61).to(d), keep: 0.99)
            return [("first non-finite tensor", try Tensor(shape: [], values: [first])), ("blended", average)]
        }),
    ]
}
