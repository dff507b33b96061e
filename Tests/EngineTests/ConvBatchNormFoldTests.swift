@testable import Engine
import XCTest

/// Convolution + batch norm (+ activation) folded into one convolution for evaluation: the same values
/// as the layers run one after another, and never values from weights or statistics that have changed.
final class ConvBatchNormFoldTests: XCTestCase {
    private var rng = RandomGenerator(seed: 11)

    /// A convolution and a batch norm in evaluation with statistics and affine parameters far from 0 and 1.
    private func layers(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 1,
                        bias: Bool = false) -> (Conv2D, BatchNorm) {
        let conv = Conv2D(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding, bias: bias, rng: &rng)
        let bn = BatchNorm(outChannels)
        bn.weight.value = Initializer.normal(shape: [outChannels], std: 1, rng: &rng)
        bn.bias.value = Initializer.normal(shape: [outChannels], std: 0.5, rng: &rng)
        bn.runningMean.value = Initializer.normal(shape: [outChannels], std: 0.3, rng: &rng)
        bn.runningVar.value = try! Tensor(shape: [outChannels], values: (0..<outChannels).map { 0.02 + Float($0 % 5) * 0.4 })
        bn.setTraining(false)
        return (conv, bn)
    }

    private func input(_ shape: [Int]) -> Variable { Variable(Initializer.normal(shape: shape, std: 1, rng: &rng)) }

    /// The layers one after another, each as its own op, computed in `layout`.
    private func unfolded(_ x: Variable, _ conv: Conv2D, _ bn: BatchNorm, _ activation: Activation,
                          _ layout: ImageLayout = .cnhw) throws -> Tensor {
        let convolved = try conv2d(x, conv.weight, conv.bias, stride: conv.stride, padding: conv.padding, computingIn: layout)
        let y = try batchNorm(convolved, weight: bn.weight, bias: bn.bias, runningMean: bn.runningMean,
                              runningVar: bn.runningVar, training: false, epsilon: bn.epsilon)
        switch activation {
        case .identity: return y.value
        case .relu: return relu(y).value
        case .leakyReLU(let slope): return leakyReLU(y, slope: slope).value
        }
    }

    private func folded(_ fold: ConvBatchNormFold, _ x: Variable, _ conv: Conv2D, _ bn: BatchNorm,
                        _ activation: Activation, _ layout: ImageLayout = .cnhw) throws -> Tensor {
        try GradMode.withoutGradients { try fold(x, conv: conv, bn: bn, activation: activation, adding: nil, computingIn: layout).value }
    }

    /// Within 1e-5 of the largest magnitude of the expected values.
    private func assertEqualWithinRelative(_ actual: Tensor, _ expected: Tensor, _ what: String,
                                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
        let scale = expected.scalars.map(abs).max() ?? 0
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0, "\(what): expected values are all zero", file: file, line: line)
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(what): largest difference \(worst) of \(scale)", file: file, line: line)
    }

    func testFoldedEvaluationEqualsConvolutionThenBatchNormThenActivation() throws {
        let cases: [(kernel: Int, stride: Int, padding: Int, bias: Bool, layout: ImageLayout)] = [
            (3, 1, 1, false, .cnhw), (3, 2, 1, true, .cnhw), (1, 1, 0, false, .cnhw), (7, 2, 3, false, .cnhw), (3, 1, 1, true, .nchw)]
        for c in cases {
            for activation in [Activation.identity, .relu, .leakyReLU(slope: 0.1)] {
                let (conv, bn) = layers(5, 12, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias)
                let x = input([3, 5, 11, 9])
                assertEqualWithinRelative(try folded(ConvBatchNormFold(), x, conv, bn, activation, c.layout),
                                          try unfolded(x, conv, bn, activation, c.layout), "\(c) \(activation)")
            }
        }
    }

    func testFoldIsRebuiltWhenWeightsOrStatisticsChangeInPlaceOrAreReplaced() throws {
        let (conv, bn) = layers(4, 6, kernel: 3)
        let fold = ConvBatchNormFold(), x = input([2, 4, 6, 6])
        func check(_ what: String, line: UInt = #line) throws {
            assertEqualWithinRelative(try folded(fold, x, conv, bn, .relu), try unfolded(x, conv, bn, .relu), what, line: line)
        }
        try check("first fold")
        // An optimiser step writes the convolution's weights in place.
        let sgd = SGD(parameters: conv.namedParameters())
        conv.weight.grad = Tensor(shape: conv.weight.shape, repeating: 0.3)
        try sgd.step(SGDHyperparameters(learningRate: 0.5))
        try check("after an SGD step")
        // A training pass updates the running statistics in place.
        bn.setTraining(true)
        _ = try bn(try conv(input([2, 4, 6, 6])))
        bn.setTraining(false)
        try check("after a training pass")
        bn.weight.value.withUnsafeMutableBufferPointer { $0[2] = -3 }
        try check("after γ written in place")
        bn.runningVar.value = Tensor(shape: [6], repeating: 4)
        try check("after the running variance was replaced")
        XCTAssertEqual(fold.cachedCount, 1, "stale folds are dropped")
    }

    func testEachSetOfStatisticsKeepsItsOwnFold() throws {
        let (conv, bn) = layers(3, 5, kernel: 3)
        let fold = ConvBatchNormFold(), x = input([2, 3, 5, 5])
        let first = (bn.runningMean.value, bn.runningVar.value)
        let second = (Tensor(shape: [5], repeating: 1.5), Tensor(shape: [5], repeating: 0.25))
        for (mean, variance) in [first, second, first, second] {
            (bn.runningMean.value, bn.runningVar.value) = (mean, variance)
            assertEqualWithinRelative(try folded(fold, x, conv, bn, .identity), try unfolded(x, conv, bn, .identity), "statistics set")
        }
        XCTAssertEqual(fold.cachedCount, 2)
    }

    func testABatchNormOfAnotherWidthIsRefusedNamingBoth() throws {
        let (conv, _) = layers(3, 4, kernel: 3)
        let (_, bn) = layers(3, 5, kernel: 3)
        XCTAssertThrowsError(try folded(ConvBatchNormFold(), input([1, 3, 5, 5]), conv, bn, .relu)) { error in
            XCTAssertEqual("\(error)", "conv + batch norm: batch norm weight must have one value per output channel: [5] vs [4]")
        }
    }

    func testTrainingOrARecordedGraphRunsTheLayersUnfolded() throws {
        let (conv, bn) = layers(3, 4, kernel: 3)
        let fold = ConvBatchNormFold()
        let x = Variable(Initializer.normal(shape: [2, 3, 5, 5], std: 1, rng: &rng), requiresGrad: true)
        let y = try fold(x, conv: conv, bn: bn, activation: .relu)
        try y.backward(seed: Tensor(shape: y.shape, repeating: 1))
        XCTAssertNotNil(conv.weight.grad, "the gradient reaches the unfolded convolution's weights")
        XCTAssertEqual(fold.cachedCount, 0)
        bn.setTraining(true)
        _ = try GradMode.withoutGradients { try fold(x, conv: conv, bn: bn, activation: .relu) }
        XCTAssertEqual(fold.cachedCount, 0, "batch statistics cannot be folded")
    }
}
