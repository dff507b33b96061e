@testable import Engine
import XCTest

/// The channel-major layout (CNHW) against the same PyTorch fixtures as NCHW: inputs are laid out channel-major
/// with `inLayout`, values are read back in PyTorch's order, and the results must agree to 1e-4.
final class ChannelMajorLayoutTests: XCTestCase {
    /// x from the fixture, in CNHW, as a leaf that tracks gradients.
    private func channelMajor(_ f: Fixture, _ caseName: String, _ key: String) throws -> Variable {
        Variable(try f.tensor(caseName, key).inLayout(.cnhw), requiresGrad: true)
    }

    func testConv2DInCNHWMatchesPyTorch() throws {
        let f = try Fixture("conv2d")
        XCTAssertEqual(f.cases.count, 7)
        for c in f.cases {
            let x = try channelMajor(f, c.name, "x"), w = try f.variable(c.name, "weight")
            let b = c.bool("bias") ? try f.variable(c.name, "bias") : nil
            let s = c.int("stride"), p = c.int("padding")
            let y = try conv2d(x, w, b, stride: (s, s), padding: (p, p), computingIn: .cnhw)
            assertClose(y.value, try f.tensor(c.name, "out"), "conv \(c.name) out")
            try y.backward(seed: try f.tensor(c.name, "grad_out").inLayout(.cnhw))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "conv \(c.name) grad x")
            assertClose(w.grad, try f.tensor(c.name, "grad_weight"), "conv \(c.name) grad weight")
            if let b { assertClose(b.grad, try f.tensor(c.name, "grad_bias"), "conv \(c.name) grad bias") }
        }
    }

    func testPointwiseConvolutionInCNHWNeedsNoColumnsAndMatchesNCHW() throws {
        var rng = RandomGenerator(seed: 3)
        let x = Variable(Initializer.normal(shape: [2, 5, 3, 4], std: 1, rng: &rng), requiresGrad: true)
        let w = Variable(Initializer.normal(shape: [6, 5, 1, 1], std: 1, rng: &rng), requiresGrad: true)
        let reference = try conv2d(x, w, nil, stride: (1, 1), padding: (0, 0), computingIn: .nchw)
        try reference.backward(seed: Tensor(shape: reference.shape, repeating: 1))
        let expectedGradX = x.grad!, expectedGradW = w.grad!
        x.grad = nil; w.grad = nil
        let y = try conv2d(try inLayout(x, .cnhw), w)
        XCTAssertEqual(y.value.layout, .cnhw, "the CPU computes a convolution channel-major")
        assertClose(y.value, reference.value, "1×1 out")
        try y.backward(seed: Tensor(shape: y.shape, repeating: 1))
        assertClose(x.grad, expectedGradX, "1×1 grad x")
        assertClose(w.grad, expectedGradW, "1×1 grad weight")
    }

    func testBatchNormInCNHWMatchesPyTorch() throws {
        let f = try Fixture("batchnorm")
        let images = f.cases.filter { (try? f.tensor($0.name, "x").rank) == 4 }
        XCTAssertFalse(images.isEmpty, "the fixture has no 4-D batch norm case")
        for c in images {
            let x = try channelMajor(f, c.name, "x"), gamma = try f.variable(c.name, "weight"), beta = try f.variable(c.name, "bias")
            let mean = Variable(try f.tensor(c.name, "running_mean")), variance = Variable(try f.tensor(c.name, "running_var"))
            let y = try batchNorm(x, weight: gamma, bias: beta, runningMean: mean, runningVar: variance,
                                  training: c.bool("training"))
            XCTAssertEqual(y.value.layout, .cnhw, "batch norm \(c.name) keeps its input's layout")
            assertClose(y.value, try f.tensor(c.name, "out"), "batch norm \(c.name) out")
            assertClose(mean.value, try f.tensor(c.name, "running_mean_after"), "batch norm \(c.name) running mean")
            assertClose(variance.value, try f.tensor(c.name, "running_var_after"), "batch norm \(c.name) running var")
            try y.backward(seed: try f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "batch norm \(c.name) grad x")
            assertClose(gamma.grad, try f.tensor(c.name, "grad_weight"), "batch norm \(c.name) grad weight")
            assertClose(beta.grad, try f.tensor(c.name, "grad_bias"), "batch norm \(c.name) grad bias")
        }
    }

    /// The fused pass equals batch norm then ReLU, both checked against PyTorch on their own.
    func testBatchNormWithFusedReLUEqualsBatchNormThenReLU() throws {
        let f = try Fixture("batchnorm")
        XCTAssertFalse(f.cases.isEmpty)
        for c in f.cases {
            func run(fused: Bool) throws -> [Tensor?] {
                let x = try f.variable(c.name, "x"), gamma = try f.variable(c.name, "weight"), beta = try f.variable(c.name, "bias")
                let mean = Variable(try f.tensor(c.name, "running_mean")), variance = Variable(try f.tensor(c.name, "running_var"))
                var y = try batchNorm(x, weight: gamma, bias: beta, runningMean: mean, runningVar: variance,
                                      training: c.bool("training"), relu: fused)
                if !fused { y = relu(y) }
                try y.backward(seed: f.tensor(c.name, "grad_out"))
                return [y.value, x.grad, gamma.grad, beta.grad, mean.value, variance.value]
            }
            let expected = try run(fused: false), actual = try run(fused: true)
            XCTAssertTrue(expected[0]!.scalars.contains(0), "case \(c.name): ReLU never clips, the mask goes untested")
            for (i, what) in ["out", "grad x", "grad weight", "grad bias", "running mean", "running var"].enumerated() {
                assertClose(actual[i], expected[i]!, "fused batch norm + ReLU \(c.name) \(what)")
            }
        }
    }

    /// The fused leaky ReLU (Darknet's slope 0.1) equals batch norm then the leaky ReLU op, in training and evaluation.
    func testBatchNormWithFusedLeakyReLUEqualsBatchNormThenLeakyReLU() throws {
        try assertFusionEqualsSeparateOps("batch norm + leaky ReLU", clips: { $0 < 0 }, fused: { n, _ in
            try batchNorm(n.x, weight: n.gamma, bias: n.beta, runningMean: n.mean, runningVar: n.variance,
                          training: n.training, activation: .leakyReLU(slope: 0.1))
        }, separate: { n, _ in
            leakyReLU(try batchNorm(n.x, weight: n.gamma, bias: n.beta, runningMean: n.mean, runningVar: n.variance,
                                    training: n.training), slope: 0.1)
        })
    }

    /// A residual block's end, ReLU(batch norm(x) + r) in one op, equals batch norm, add and ReLU as three
    /// ops: values, running statistics, and the gradients of x, γ, β and the residual.
    func testBatchNormWithResidualAndReLUEqualsBatchNormAddReLU() throws {
        try assertFusionEqualsSeparateOps("batch norm + residual + ReLU", clips: { $0 == 0 }, fused: { n, r in
            try batchNorm(n.x, weight: n.gamma, bias: n.beta, runningMean: n.mean, runningVar: n.variance,
                          training: n.training, activation: .relu, adding: r)
        }, separate: { n, r in
            relu(try add(try batchNorm(n.x, weight: n.gamma, bias: n.beta, runningMean: n.mean, runningVar: n.variance,
                                       training: n.training), r))
        })
    }

    /// A batch-norm fixture case's inputs as fresh leaves.
    private struct NormInputs {
        let x, gamma, beta, mean, variance: Variable
        let training: Bool
    }

    /// For every batch-norm fixture case, `fused` and `separate` (given the inputs and a residual r, the
    /// fixture's output gradient as a leaf that requires gradients) agree on the output, the gradients of
    /// x, γ, β and r, and the running statistics; `clips` must hold for some output, or the activation's
    /// backward goes untested.
    private func assertFusionEqualsSeparateOps(_ what: String, clips: (Float) -> Bool,
                                              fused: (NormInputs, Variable) throws -> Variable,
                                              separate: (NormInputs, Variable) throws -> Variable) throws {
        let f = try Fixture("batchnorm")
        for c in f.cases {
            func run(_ op: (NormInputs, Variable) throws -> Variable) throws -> [Tensor?] {
                let n = NormInputs(x: try f.variable(c.name, "x"), gamma: try f.variable(c.name, "weight"),
                                   beta: try f.variable(c.name, "bias"), mean: Variable(try f.tensor(c.name, "running_mean")),
                                   variance: Variable(try f.tensor(c.name, "running_var")), training: c.bool("training"))
                let r = Variable(try f.tensor(c.name, "grad_out"), requiresGrad: true)
                let y = try op(n, r)
                try y.backward(seed: f.tensor(c.name, "grad_out"))
                return [y.value, n.x.grad, n.gamma.grad, n.beta.grad, r.grad, n.mean.value, n.variance.value]
            }
            let expected = try run(separate), actual = try run(fused)
            XCTAssertTrue(expected[0]!.scalars.contains(where: clips), "case \(c.name): the activation never clips, its backward goes untested")
            for (i, name) in ["out", "grad x", "grad weight", "grad bias", "grad residual", "running mean", "running var"].enumerated() {
                if let e = expected[i] { assertClose(actual[i], e, "\(what) \(c.name) \(name)") } else { XCTAssertNil(actual[i], "\(what) \(name)") }
            }
        }
    }

    func testGlobalAveragePoolInCNHWGivesNCHWFeatures() throws {
        let f = try Fixture("pooling")
        let global = f.cases.filter { $0["kind"] as? String == "global" }
        XCTAssertFalse(global.isEmpty, "the fixture has no global pooling case")
        for c in global {
            let x = try channelMajor(f, c.name, "x")
            let y = try globalAvgPool(x)
            assertClose(y.value, try f.tensor(c.name, "out"), "global pool \(c.name) out")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "global pool \(c.name) grad x")
        }
    }
}
