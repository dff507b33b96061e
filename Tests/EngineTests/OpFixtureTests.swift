import Engine
import XCTest

/// Every op against PyTorch: outputs and the gradients of inputs and weights for an upstream gradient.
final class OpFixtureTests: XCTestCase {
    func testLinearMatchesPyTorch() throws {
        let f = try Fixture("linear")
        for c in f.cases {
            let x = try f.variable(c.name, "x"), w = try f.variable(c.name, "weight")
            let b = c.bool("bias") ? try f.variable(c.name, "bias") : nil
            let y = try linear(x, w, b)
            assertClose(y.value, try f.tensor(c.name, "out"), "linear \(c.name) out")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "linear \(c.name) grad x")
            assertClose(w.grad, try f.tensor(c.name, "grad_weight"), "linear \(c.name) grad weight")
            if let b { assertClose(b.grad, try f.tensor(c.name, "grad_bias"), "linear \(c.name) grad bias") }
        }
    }

    func testConv2DMatchesPyTorchForKernels1To7StridesAndPaddings() throws {
        let f = try Fixture("conv2d")
        XCTAssertEqual(f.cases.count, 7)
        for c in f.cases {
            let x = try f.variable(c.name, "x"), w = try f.variable(c.name, "weight")
            let b = c.bool("bias") ? try f.variable(c.name, "bias") : nil
            let s = c.int("stride"), p = c.int("padding")
            let y = try conv2d(x, w, b, stride: (s, s), padding: (p, p))
            assertClose(y.value, try f.tensor(c.name, "out"), "conv \(c.name) out")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "conv \(c.name) grad x")
            assertClose(w.grad, try f.tensor(c.name, "grad_weight"), "conv \(c.name) grad weight")
            if let b { assertClose(b.grad, try f.tensor(c.name, "grad_bias"), "conv \(c.name) grad bias") }
        }
    }

    func testBatchNormMatchesPyTorchInTrainingAndEvaluation() throws {
        let f = try Fixture("batchnorm")
        for c in f.cases {
            let x = try f.variable(c.name, "x"), gamma = try f.variable(c.name, "weight"), beta = try f.variable(c.name, "bias")
            let mean = Variable(try f.tensor(c.name, "running_mean")), variance = Variable(try f.tensor(c.name, "running_var"))
            let y = try batchNorm(x, weight: gamma, bias: beta, runningMean: mean, runningVar: variance, training: c.bool("training"))
            assertClose(y.value, try f.tensor(c.name, "out"), "batch norm \(c.name) out")
            assertClose(mean.value, try f.tensor(c.name, "running_mean_after"), "batch norm \(c.name) running mean")
            assertClose(variance.value, try f.tensor(c.name, "running_var_after"), "batch norm \(c.name) running var")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "batch norm \(c.name) grad x")
            assertClose(gamma.grad, try f.tensor(c.name, "grad_weight"), "batch norm \(c.name) grad weight")
            assertClose(beta.grad, try f.tensor(c.name, "grad_bias"), "batch norm \(c.name) grad bias")
        }
    }

    func testPoolingMatchesPyTorchIncludingCeilModeAndPadding() throws {
        let f = try Fixture("pooling")
        for c in f.cases {
            let x = try f.variable(c.name, "x")
            let y = try pool(x, as: c)
            assertClose(y.value, try f.tensor(c.name, "out"), "pool \(c.name) out")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "pool \(c.name) grad x")
        }
    }

    func testReLUAddFlattenDropoutAndLogSoftmaxMatchPyTorch() throws {
        let f = try Fixture("elementwise")
        for c in f.cases {
            let x = try f.variable(c.name, "x")
            var other: Variable?
            let y: Variable
            switch c.name {
            case "relu": y = relu(x)
            case "add": other = try f.variable(c.name, "other"); y = try add(x, other!)
            case "flatten": y = try flatten(x)
            case "dropout": y = try dropout(x, mask: try f.tensor(c.name, "mask"), p: c.float("p"))
            default: y = try logSoftmax(x)
            }
            assertClose(y.value, try f.tensor(c.name, "out"), "\(c.name) out")
            try y.backward(seed: f.tensor(c.name, "grad_out"))
            assertClose(x.grad, try f.tensor(c.name, "grad_x"), "\(c.name) grad x")
            if let other { assertClose(other.grad, try f.tensor(c.name, "grad_other"), "\(c.name) grad other") }
        }
    }

    func testLeakyReLUMatchesPyTorch() throws {
        let f = try Fixture("leaky_relu")
        let x = try f.variable("c0", "x")
        let y = leakyReLU(x, slope: 0.1)
        assertClose(y.value, try f.tensor("c0", "out"), "leaky relu out")
        try y.backward(seed: f.tensor("c0", "grad_out"))
        assertClose(x.grad, try f.tensor("c0", "grad_x"), "leaky relu grad x")
    }

    func testCrossEntropyWithLabelsSmoothingAndSoftTargetsMatchesPyTorch() throws {
        let f = try Fixture("loss")
        for c in f.cases {
            let logits = try f.variable(c.name, "logits")
            let target = try f.tensor(c.name, "target")
            let loss: Variable
            if c.bool("soft") {
                loss = try crossEntropy(logits, targetDistribution: target, labelSmoothing: c.float("label_smoothing"))
            } else {
                let k = target.shape[1]
                let labels = (0..<target.shape[0]).map { row in (0..<k).first { target[row, $0] == 1 }! }
                loss = try crossEntropy(logits, labels: labels, labelSmoothing: c.float("label_smoothing"))
            }
            assertClose(try loss.value.reshaped([1]), try f.tensor(c.name, "loss"), "loss \(c.name)")
            try loss.backward()
            assertClose(logits.grad, try f.tensor(c.name, "grad_logits"), "loss \(c.name) grad logits")
        }
    }

    func testSGDAndAdamWStepsMatchPyTorch() throws {
        let f = try Fixture("optimizers")
        for c in f.cases {
            let p = try f.variable(c.name, "param")
            let params = [NamedVariable(name: "p", variable: p, isBuffer: false)]
            let step: () throws -> Void
            if c["kind"] as? String == "adamw" {
                let adam = AdamW(parameters: params, learningRate: c.float("lr"), weightDecay: c.float("weight_decay"))
                step = adam.step
            } else {
                let sgd = SGD(parameters: params)
                let hyperparameters = SGDHyperparameters(learningRate: c.float("lr"), momentum: c.float("momentum"),
                                                         nesterov: c.bool("nesterov"), weightDecay: c.float("weight_decay"))
                step = { try sgd.step(hyperparameters) }
            }
            for i in 0..<3 {
                p.grad = try f.tensor(c.name, "grad\(i)")
                try step()
                assertClose(p.value, try f.tensor(c.name, "param\(i)"), "\(c.name) step \(i)")
            }
        }
    }
}
