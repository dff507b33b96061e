@testable import Engine
import XCTest

/// 3×3 stride-1 convolutions through Winograd's F(2,3) and F(4,3) give the im2col path's values, forward,
/// input gradient, weight gradient, and with the fused bias, residual and activation of evaluation, on shapes whose
/// edges cut tiles (sides not multiples of the tile), odd channel counts, batches of 1 and 3, and
/// paddings 0 to 2.
///
/// Tolerance: both paths sum the same C·9 products in float, in different orders and, for Winograd,
/// through transforms that scale values by up to 4·5 (F(2,3): 2·2) before the sum and divide them after,
/// so the difference is a few ulps of the products' magnitudes, growing with the channel count. The bound is
/// 2e-6 (F(2,3)) and 3e-5 (F(4,3)) of the largest |value| of the reference, about 4–6 times the largest
/// difference measured here (3.3e-7 and 8.0e-6, the latter on the 64-channel chunk test); a wrong transform
/// coefficient or a misplaced tile gives differences of the values' own size.
final class WinogradTests: XCTestCase {
    private var rng = RandomGenerator(seed: 5)
    private let tolerance: [WinogradUse: Float] = [.f2: 2e-6, .f4: 3e-5]

    /// (batch, in channels, out channels, height, width, padding, layout)
    private let shapes: [(Int, Int, Int, Int, Int, Int, ImageLayout)] = [
        (1, 3, 5, 7, 9, 1, .cnhw), (3, 17, 9, 10, 6, 1, .nchw), (2, 8, 16, 5, 11, 0, .cnhw),
        (3, 4, 6, 9, 7, 2, .cnhw), (1, 2, 3, 2, 2, 1, .cnhw), (1, 5, 4, 1, 1, 1, .nchw), (3, 9, 7, 13, 12, 1, .nchw)]

    func testForwardAndInputGradientEqualIm2col() throws {
        var checked = 0
        for (n, c, oc, h, w, pad, layout) in shapes {
            let x = Initializer.normal(shape: [n, c, h, w], std: 1, rng: &rng)
            let weight = Initializer.normal(shape: [oc, c, 3, 3], std: 0.3, rng: &rng)
            let bias = Initializer.normal(shape: [oc], std: 0.3, rng: &rng)
            let (oh, ow) = (h + 2 * pad - 2, w + 2 * pad - 2)
            let seed = Initializer.normal(shape: [n, oc, oh, ow], std: 1, rng: &rng)
            let expected = try run(.off, x, weight, bias, pad, layout, seed)
            for use in [WinogradUse.f2, .f4] {
                let actual = try run(use, x, weight, bias, pad, layout, seed)
                let what = "\(use) \(n)×\(c)→\(oc) \(h)×\(w) pad \(pad) \(layout)"
                assertEqualWithinRelative(actual.y, expected.y, tolerance[use]!, "\(what) output")
                assertEqualWithinRelative(actual.dx, expected.dx, tolerance[use]!, "\(what) input gradient")
                assertEqualWithinRelative(actual.dw, expected.dw, tolerance[use]!, "\(what) weight gradient")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 2 * shapes.count)
    }

    /// Enough tiles for several chunks of the tile loop (chunkBudget): the chunks' seams leave no trace.
    func testABatchSpanningSeveralTileChunksEqualsIm2col() throws {
        let x = Initializer.normal(shape: [2, 64, 64, 64], std: 1, rng: &rng)
        let weight = Initializer.normal(shape: [64, 64, 3, 3], std: 0.05, rng: &rng)
        let seed = Initializer.normal(shape: [2, 64, 64, 64], std: 1, rng: &rng)
        let expected = try run(.off, x, weight, nil, 1, .cnhw, seed)
        let actual = try run(.f4, x, weight, nil, 1, .cnhw, seed)
        assertEqualWithinRelative(actual.y, expected.y, tolerance[.f4]!, "output")
        assertEqualWithinRelative(actual.dx, expected.dx, tolerance[.f4]!, "input gradient")
        assertEqualWithinRelative(actual.dw, expected.dw, tolerance[.f4]!, "weight gradient")
    }

    /// One image's layer on two threads: the transforms split its channels between the threads (16 tiles of
    /// 64 channels), in training and in evaluation (where the few-tile shapes of one image also run Winograd),
    /// and the values are im2col's on one thread.
    func testOneImageOnTwoThreadsEqualsIm2col() throws {
        let x = Initializer.normal(shape: [1, 64, 16, 16], std: 1, rng: &rng)
        let weight = Initializer.normal(shape: [64, 64, 3, 3], std: 0.05, rng: &rng)
        let seed = Initializer.normal(shape: [1, 64, 16, 16], std: 1, rng: &rng)
        let one = HostResources(threads: 1), two = HostResources(threads: 2)
        let expected = try one.run { try run(.off, x, weight, nil, 1, .cnhw, seed) }
        for use in [WinogradUse.f2, .f4] {
            let actual = try two.run { try run(use, x, weight, nil, 1, .cnhw, seed) }
            assertEqualWithinRelative(actual.y, expected.y, tolerance[use]!, "\(use) output")
            assertEqualWithinRelative(actual.dx, expected.dx, tolerance[use]!, "\(use) input gradient")
            assertEqualWithinRelative(actual.dw, expected.dw, tolerance[use]!, "\(use) weight gradient")
        }
        let evaluated = try two.run {
            try GradMode.withoutGradients {
                try conv2d(Variable(x), Variable(weight), nil, stride: (1, 1), padding: (1, 1), computingIn: .cnhw, convolution: .auto).value
            }
        }
        XCTAssertEqual(WinogradPlan(evaluating: ConvGeometry(batch: 1, channels: 64, height: 16, width: 16, outChannels: 64, kernelH: 3,
                                                             kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: 16, outW: 16,
                                                             layout: .cnhw))?.tile, PackedGEMM.isAvailable ? .f4 : nil)
        assertEqualWithinRelative(evaluated, expected.y, tolerance[.f4]!, "evaluation")
    }

    /// The folded evaluation's epilogue (bias, residual, (leaky) ReLU) applied in the output transform.
    func testFusedBiasResidualAndActivationEqualIm2col() throws {
        for layout in [ImageLayout.cnhw, .nchw] {
            for activation in [Activation.identity, .relu, .leakyReLU(slope: 0.1)] {
                let conv = Conv2D(6, 10, kernel: 3, padding: 1, bias: true, rng: &rng)
                let bn = BatchNorm(10)
                bn.runningMean.value = Initializer.normal(shape: [10], std: 0.3, rng: &rng)
                bn.setTraining(false)
                let x = Variable(Initializer.normal(shape: [3, 6, 7, 5], std: 1, rng: &rng))
                let residual = Variable(Initializer.normal(shape: [3, 10, 7, 5], std: 1, rng: &rng))
                func folded(_ use: WinogradUse) throws -> Tensor {
                    conv.convolution = use
                    return try GradMode.withoutGradients {
                        try ConvBatchNormFold()(x, conv: conv, bn: bn, activation: activation, adding: residual, computingIn: layout).value
                    }
                }
                let expected = try folded(.off)
                for use in [WinogradUse.f2, .f4] {
                    assertEqualWithinRelative(try folded(use), expected, tolerance[use]!, "\(use) \(layout) \(activation)")
                }
            }
        }
    }

    /// Evaluation keeps the transformed weights with the weight's storage, and every way of changing the weights
    /// (an optimizer step, a write in place, a new tensor) makes the next evaluation use the new ones.
    func testEvaluationAfterTheWeightsChangeUsesTheNewWeights() throws {
        let conv = Conv2D(4, 6, kernel: 3, padding: 1, bias: false, rng: &rng)
        let x = Variable(Initializer.normal(shape: [2, 4, 8, 8], std: 1, rng: &rng))
        func evaluated(_ use: WinogradUse) throws -> Tensor {
            conv.convolution = use
            return try GradMode.withoutGradients { try conv(x).value }
        }
        func assertCurrent(_ what: String) throws {
            assertEqualWithinRelative(try evaluated(.f4), try evaluated(.off), tolerance[.f4]!, what)
        }
        try assertCurrent("first evaluation")
        try assertCurrent("second evaluation (transformed weights reused)")

        let sgd = SGD(parameters: conv.namedVariables(prefix: ""))
        conv.convolution = .f4
        try conv(Variable(x.value, requiresGrad: true)).backward()
        try sgd.step(SGDHyperparameters(learningRate: 0.5))
        try assertCurrent("after an SGD step")

        conv.weight.value.withUnsafeMutableBufferPointer { $0[0] += 1 }
        try assertCurrent("after a write in place")

        conv.weight.value = Initializer.normal(shape: [6, 4, 3, 3], std: 0.3, rng: &rng)
        try assertCurrent("after assigning new weights")
    }

    /// The output, input gradient and weight gradient of conv2d(x, weight, bias) with `use`.
    private func run(_ use: WinogradUse, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ pad: Int, _ layout: ImageLayout,
                     _ seed: Tensor) throws -> (y: Tensor, dx: Tensor, dw: Tensor) {
        let input = Variable(x, requiresGrad: true), w = Variable(weight, requiresGrad: true)
        let y = try conv2d(input, w, bias.map { Variable($0) }, stride: (1, 1), padding: (pad, pad), computingIn: layout,
                           convolution: use)
        try y.backward(seed: seed)
        return (y.value, input.grad!, w.grad!)
    }

    /// Every difference within `relative` of the largest |expected value| (not all zero).
    private func assertEqualWithinRelative(_ actual: Tensor?, _ expected: Tensor?, _ relative: Float, _ what: String,
                                           file: StaticString = #filePath, line: UInt = #line) {
        guard let actual, let expected else { return XCTFail("\(what): missing", file: file, line: line) }
        XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
        let scale = expected.scalars.map(abs).max() ?? 0
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertGreaterThan(scale, 0, "\(what): expected values are all zero", file: file, line: line)
        XCTAssertLessThanOrEqual(worst, relative * scale, "\(what): largest difference \(worst) of \(scale)", file: file, line: line)
    }
}
