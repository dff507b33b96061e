@testable import Engine
import XCTest

/// The CUDA backend, with its kernels run on the host (EmulatedCUDARuntime), against the CPU backend
/// on every op fixture: outputs and gradients equal to 1e-4. The backend code is the one a GPU runs;
/// only the runtime under it differs.
final class CUDAKernelParityTests: XCTestCase {
    private var gpu: Device!
    /// The same kernels with matrix products through the backend's cuBLAS path.
    private var gpuBLAS: Device!
    /// The same kernels with convolutions through the backend's cuDNN path.
    private var gpuDNN: Device!

    override func setUpWithError() throws {
        gpu = .cuda(try EmulatedCUDARuntime.shared.get())
        gpuBLAS = .cuda(try EmulatedCUDARuntime.withBLAS.get())
        gpuDNN = .cuda(try EmulatedCUDARuntime.withCUDNN.get())
    }

    /// Runs `body` on the CPU and on the emulated GPU (both GEMM paths when `bothGEMMs`, and the cuDNN path
    /// when `cudnn`) and compares what it returns, name by name; every GPU result must live on the GPU (a CPU
    /// fallback would compare the CPU with itself).
    private func assertSameOnBothDevices(_ what: String, bothGEMMs: Bool = false, cudnn: Bool = false, file: StaticString = #filePath,
                                         line: UInt = #line, _ body: (Device) throws -> [(String, Tensor?)]) rethrows {
        let reference = try body(.cpu)
        XCTAssertFalse(reference.isEmpty, "\(what): nothing compared", file: file, line: line)
        for device in [gpu!] + (bothGEMMs ? [gpuBLAS!] : []) + (cudnn ? [gpuDNN!] : []) {
            let candidate = try body(device), path = device == gpu ? "" : device == gpuBLAS ? " (cuBLAS path)" : " (cuDNN path)"
            for ((name, expected), (_, actual)) in zip(reference, candidate) {
                guard let expected else { XCTFail("\(what) \(name): no CPU value", file: file, line: line); continue }
                XCTAssertEqual(actual?.device, device, "\(what) \(name) was not computed on the GPU\(path)", file: file, line: line)
                assertClose(actual?.to(.cpu), expected, rtol: 1e-4, atol: 1e-5, "\(what) \(name)\(path)", file: file, line: line)
            }
        }
    }

    private func on(_ device: Device, _ f: Fixture, _ c: [String: Any], _ key: String) throws -> Variable {
        Variable(try f.tensor(c.name, key).to(device), requiresGrad: true)
    }

    func testLinear() throws {
        let f = try Fixture("linear")
        for c in f.cases {
            try assertSameOnBothDevices("linear \(c.name)", bothGEMMs: true) { device in
                let x = try on(device, f, c, "x"), w = try on(device, f, c, "weight")
                let b = c.bool("bias") ? try on(device, f, c, "bias") : nil
                let y = try linear(x, w, b)
                try y.backward(seed: f.tensor(c.name, "grad_out").to(device))
                return [("out", y.value), ("grad x", x.grad), ("grad w", w.grad)] + (b.map { [("grad b", $0.grad)] } ?? [])
            }
        }
    }

    func testMatmulAcrossTilesAndTransposes() throws {
        var rng = RandomGenerator(seed: 5)
        let a = Initializer.normal(shape: [70, 131], std: 1, rng: &rng), b = Initializer.normal(shape: [131, 67], std: 1, rng: &rng)
        let at = CPUBackend.shared.swapFirstTwoAxes(a), bt = CPUBackend.shared.swapFirstTwoAxes(b)
        let c = Initializer.normal(shape: [70, 67], std: 1, rng: &rng)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            assertSameOnBothDevices("matmul transA \(ta) transB \(tb)", bothGEMMs: true) { device in
                let backend = device.backend
                let y = backend.matmul((ta ? at : a).to(device), transposeA: ta, (tb ? bt : b).to(device), transposeB: tb,
                                       adding: c.to(device))
                return [("product", y)]
            }
        }
    }

    func testConvolutionInBothLayouts() throws {
        let f = try Fixture("conv2d")
        for c in f.cases {
            for layout in [ImageLayout.nchw, .cnhw] {
                try assertSameOnBothDevices("conv \(c.name) \(layout)", bothGEMMs: true, cudnn: true) { device in
                    let x = try on(device, f, c, "x"), w = try on(device, f, c, "weight")
                    let b = c.bool("bias") ? try on(device, f, c, "bias") : nil
                    let s = c.int("stride"), p = c.int("padding")
                    let y = try conv2d(x, w, b, stride: (s, s), padding: (p, p), computingIn: layout)
                    try y.backward(seed: f.tensor(c.name, "grad_out").to(device))
                    return [("out", y.value), ("grad x", x.grad), ("grad w", w.grad)] + (b.map { [("grad b", $0.grad)] } ?? [])
                }
            }
        }
    }

    func testPointwiseConvolutionInCNHW() throws {
        var rng = RandomGenerator(seed: 3)
        let x0 = Initializer.normal(shape: [3, 5, 6, 6], std: 1, rng: &rng).inLayout(.cnhw)
        let w0 = Initializer.normal(shape: [4, 5, 1, 1], std: 1, rng: &rng)
        let seed = Initializer.normal(shape: [3, 4, 6, 6], std: 1, rng: &rng).inLayout(.cnhw)
        try assertSameOnBothDevices("pointwise conv", bothGEMMs: true, cudnn: true) { device in
            let x = Variable(x0.to(device), requiresGrad: true), w = Variable(w0.to(device), requiresGrad: true)
            let y = try conv2d(x, w, nil, stride: (1, 1), padding: (0, 0), computingIn: .cnhw)
            try y.backward(seed: seed.to(device))
            return [("out", y.value), ("grad x", x.grad), ("grad w", w.grad)]
        }
    }

    func testBatchNormTrainingEvaluationFusedReLUAndCNHW() throws {
        let f = try Fixture("batchnorm")
        for c in f.cases {
            for (relu, layout) in [(false, ImageLayout.nchw), (true, .nchw), (true, .cnhw)] where layout == .nchw || f.tensor4D(c) {
                try assertSameOnBothDevices("batch norm \(c.name) relu \(relu) \(layout)") { device in
                    let x = try on(device, f, c, "x"), gamma = try on(device, f, c, "weight"), beta = try on(device, f, c, "bias")
                    let mean = Variable(try f.tensor(c.name, "running_mean").to(device))
                    let variance = Variable(try f.tensor(c.name, "running_var").to(device))
                    let y = try batchNorm(try inLayout(x, layout), weight: gamma, bias: beta, runningMean: mean, runningVar: variance,
                                          training: c.bool("training"), relu: relu)
                    try y.backward(seed: f.tensor(c.name, "grad_out").to(device))
                    return [("out", y.value), ("running mean", mean.value), ("running var", variance.value),
                            ("grad x", x.grad), ("grad weight", gamma.grad), ("grad bias", beta.grad)]
                }
            }
        }
    }

    func testPoolingIncludingCeilModePaddingAndGlobalInBothLayouts() throws {
        let f = try Fixture("pooling")
        for c in f.cases {
            for layout in [ImageLayout.nchw, .cnhw] where layout == .nchw || c["kind"] as? String == "global" {
                try assertSameOnBothDevices("pool \(c.name) \(layout)") { device in
                    let x = try on(device, f, c, "x")
                    let y = try pool(x, as: c, layout: layout)
                    try y.backward(seed: f.tensor(c.name, "grad_out").to(device))
                    return [("out", y.value), ("grad x", x.grad)]
                }
            }
        }
    }

    func testElementwiseLeakyReLUAndLogSoftmax() throws {
        let f = try Fixture("elementwise")
        for c in f.cases {
            try assertSameOnBothDevices("\(c.name)") { device in
                let x = try on(device, f, c, "x")
                var other: Variable?
                let y: Variable
                switch c.name {
                case "relu": y = relu(x)
                case "add": other = try on(device, f, c, "other"); y = try add(x, other!)
                case "flatten": y = try flatten(x)
                case "dropout": y = try dropout(x, mask: try f.tensor(c.name, "mask"), p: c.float("p"))
                default: y = try logSoftmax(x)
                }
                try y.backward(seed: f.tensor(c.name, "grad_out").to(device))
                return [("out", y.value), ("grad x", x.grad)] + (other.map { [("grad other", $0.grad)] } ?? [])
            }
        }
        let leaky = try Fixture("leaky_relu"), c = leaky.cases[0]
        try assertSameOnBothDevices("leaky relu") { device in
            let x = try on(device, leaky, c, "x")
            let y = leakyReLU(x, slope: 0.1)
            try y.backward(seed: leaky.tensor(c.name, "grad_out").to(device))
            return [("out", y.value), ("grad x", x.grad)]
        }
    }

    func testCrossEntropyWithSmoothingAndSoftTargets() throws {
        let f = try Fixture("loss")
        for c in f.cases {
            try assertSameOnBothDevices("loss \(c.name)") { device in
                let logits = try on(device, f, c, "logits")
                let loss = try crossEntropy(logits, targetDistribution: f.tensor(c.name, "target").to(device),
                                            labelSmoothing: c.float("label_smoothing"))
                try loss.backward()
                return [("loss", loss.value.to(device)), ("grad logits", logits.grad)]
            }
        }
    }

    func testGradientsOfAVariableUsedTwiceAccumulate() throws {
        var rng = RandomGenerator(seed: 9)
        let x0 = Initializer.normal(shape: [3, 70], std: 1, rng: &rng)
        try assertSameOnBothDevices("accumulated gradient") { device in
            let x = Variable(x0.to(device), requiresGrad: true)
            let y = try add(leakyReLU(x, slope: 0.2), scale(x, by: 3))
            try y.backward(seed: x0.to(device))
            return [("out", y.value), ("grad x", x.grad)]
        }
    }

    func testSGDAndAdamWSteps() throws {
        let f = try Fixture("optimizers")
        for c in f.cases {
            try assertSameOnBothDevices("\(c.name)") { device in
                let p = try on(device, f, c, "param")
                let params = [NamedVariable(name: "p", variable: p, isBuffer: false)]
                let step: () throws -> Void
                if c["kind"] as? String == "adamw" {
                    step = AdamW(parameters: params, learningRate: c.float("lr"), weightDecay: c.float("weight_decay")).step
                } else {
                    let sgd = SGD(parameters: params)
                    let hyperparameters = SGDHyperparameters(learningRate: c.float("lr"), momentum: c.float("momentum"),
                                                             nesterov: c.bool("nesterov"), weightDecay: c.float("weight_decay"))
                    step = { try sgd.step(hyperparameters) }
                }
                var values: [(String, Tensor?)] = []
                for i in 0..<3 {
                    p.grad = try f.tensor(c.name, "grad\(i)").to(device)
                    try step()
                    values.append(("step \(i)", p.value))
                }
                return values
            }
        }
    }

    func testTrainingMovesBetweenDevicesWithItsMomentum() throws {
        let f = try Fixture("optimizers"), c = try XCTUnwrap(f.cases.first { $0.float("momentum") > 0 })
        func train(_ devices: [Device]) throws -> (Tensor, SGD) {
            let p = Variable(try f.tensor(c.name, "param"), requiresGrad: true)
            let sgd = SGD(parameters: [NamedVariable(name: "p", variable: p)])
            let hyperparameters = SGDHyperparameters(learningRate: c.float("lr"), momentum: c.float("momentum"),
                                                     nesterov: c.bool("nesterov"), weightDecay: c.float("weight_decay"))
            for (i, device) in devices.enumerated() {
                p.value = p.value.to(device)
                sgd.move(to: device)
                p.grad = try f.tensor(c.name, "grad\(i)").to(device)
                try sgd.step(hyperparameters)
                XCTAssertEqual(p.value.device, device)
                XCTAssertEqual(sgd.state().map(\.tensor.device), [device], "momentum buffer not on \(device)")
            }
            return (p.value, sgd)
        }
        let (moved, _) = try train([.cpu, gpu, .cpu])
        let (stayed, _) = try train([.cpu, .cpu, .cpu])
        assertClose(moved, stayed, "weights after cpu → cuda → cpu")
        assertClose(moved, try f.tensor(c.name, "param2"), "weights against PyTorch")
    }

    func testHostAccessToADeviceTensorReadsAndWritesThroughAndCopiesOnWrite() throws {
        var t = try Tensor(shape: [2, 2], values: [1, 2, 3, 4]).to(gpu)
        let copy = t
        t.writingOnHost { $0[1] = 9 }
        XCTAssertEqual(t.device, gpu)
        XCTAssertEqual(t.scalars, [1, 9, 3, 4])
        XCTAssertEqual(t[1, 0], 3)
        XCTAssertEqual(copy.scalars, [1, 2, 3, 4], "a copy shares storage only until one of them is written")
        // A kernel writing in place copies shared device storage first, on the device.
        var sum = copy
        gpu.backend.addInPlace(&sum, try Tensor(shape: [2, 2], values: [1, 1, 1, 1]).to(gpu))
        XCTAssertEqual(sum.scalars, [2, 3, 4, 5])
        XCTAssertEqual(copy.scalars, [1, 2, 3, 4])
    }

    func testACheckpointOfDeviceTensorsIsByteForByteTheCPUs() throws {
        let t = try Tensor(shape: [3], values: [0.5, -1, 7])
        let cpu = try SafeTensorsFile.encode([("w", t)], metadata: ["m": "1"])
        XCTAssertEqual(try SafeTensorsFile.encode([("w", t.to(gpu))], metadata: ["m": "1"]), cpu)
    }

    func testFirstNonFiniteFindsTheFirstNaNOrInfinity() throws {
        let values: [Float] = [1, 2, 3, 4, 5, .infinity, 7, .nan, 9]
        let t = try Tensor(shape: [9], values: values).to(gpu)
        XCTAssertEqual(t.device, gpu)
        XCTAssertEqual(t.firstNonFinite, .infinity)
        XCTAssertNil(try Tensor(shape: [3], values: [1, 2, 3]).to(gpu).firstNonFinite)
    }

    func testTheFirstNonFiniteOfManyTensorsIsOneValueReadBack() throws {
        guard case .cuda(let device) = gpu!, let runtime = device.runtime as? EmulatedCUDARuntime else { return XCTFail("no emulated runtime") }
        let finite = try Tensor(shape: [600], values: (0..<600).map { Float($0) })
        var late = finite, early = finite
        late.withUnsafeMutableBufferPointer { $0[599] = .nan }
        early.withUnsafeMutableBufferPointer { $0[3] = -.infinity }
        let tensors = [finite, finite, late, early, finite].map { $0.to(gpu) }
        let before = runtime.copiesToHost
        XCTAssertEqual(Tensor.firstNonFinite(in: tensors), 2)
        XCTAssertEqual(runtime.copiesToHost - before, 1, "one value read back for five tensors")
        XCTAssertEqual(Tensor.firstNonFinite(in: [tensors[4], tensors[3]]), 1)
        XCTAssertNil(Tensor.firstNonFinite(in: [tensors[0], tensors[1]]))
        XCTAssertNil(Tensor.firstNonFinite(in: []))
        XCTAssertEqual(Tensor.firstNonFinite(in: [finite, late]), 1, "the CPU answers the same")
    }

    func testBlendingTowardTheWeightsIsTheCPUsAverageStep() throws {
        var rng = RandomGenerator(seed: 21)
        let average = Initializer.normal(shape: [3, 700], std: 1, rng: &rng), weights = Initializer.normal(shape: [3, 700], std: 1, rng: &rng)
        assertSameOnBothDevices("blend") { device in
            var a = average.to(device)
            let shared = a
            a.blend(toward: weights.to(device), keep: 0.9)
            a.blend(toward: weights.to(device), keep: 0.25)
            // A copy taken before (the model's own weights, at the start) keeps its values.
            return [("average", a), ("the copy taken before", shared)]
        }
    }

    /// Runs last (XCTest goes by name); run alone, it first runs the tests above itself. Every kernel in
    /// the source was launched by some test, and the cuBLAS path was taken.
    func testZZEveryKernelWasExercised() throws {
        guard case .cuda(let device) = gpu!, let runtime = device.runtime as? EmulatedCUDARuntime,
              case .cuda(let other) = gpuBLAS!, let blas = other.runtime.blas as? HostColumnMajorBLAS else {
            return XCTFail("no emulated runtimes")
        }
        if runtime.launched.isEmpty || blas.calls == 0 {
            for test in [testLinear, testMatmulAcrossTilesAndTransposes, testConvolutionInBothLayouts, testPointwiseConvolutionInCNHW,
                         testBatchNormTrainingEvaluationFusedReLUAndCNHW, testPoolingIncludingCeilModePaddingAndGlobalInBothLayouts,
                         testElementwiseLeakyReLUAndLogSoftmax, testCrossEntropyWithSmoothingAndSoftTargets,
                         testGradientsOfAVariableUsedTwiceAccumulate, testSGDAndAdamWSteps, testTrainingMovesBetweenDevicesWithItsMomentum,
                         testHostAccessToADeviceTensorReadsAndWritesThroughAndCopiesOnWrite,
                         testACheckpointOfDeviceTensorsIsByteForByteTheCPUs, testFirstNonFiniteFindsTheFirstNaNOrInfinity,
                         testTheFirstNonFiniteOfManyTensorsIsOneValueReadBack, testBlendingTowardTheWeightsIsTheCPUsAverageStep] { try test() }
        }
        let source = try CUDAKernelSource.program(in: EmulatedCUDARuntime.kernelFolder)
        let unused = Set(CUDAKernelSource.entryNames(in: source)).subtracting(runtime.launched)
        XCTAssertTrue(unused.isEmpty, "kernels never launched: \(unused.sorted())")
        XCTAssertGreaterThan(blas.calls, 0, "the cuBLAS path was never taken")
    }
}

private extension Fixture {
    /// Whether case `c`'s input is an image batch (batch norm fixtures also hold [N, C] features).
    func tensor4D(_ c: [String: Any]) -> Bool { (try? tensor(c.name, "x").rank) == 4 }
}
