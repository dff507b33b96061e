@testable import Engine
import XCTest

/// A batch norm's output released after the forward pass (`Variable.releaseValue`) costs no memory until the
/// backward pass reads it, which recomputes the very same floats from the saved statistics: gradients are
/// identical to those of a pass that kept it, for every activation and for a convolution or a max pool reading it.
/// Its backward step also writes the input gradient over the incoming one when nothing else holds that.
final class RecomputedActivationTests: XCTestCase {
    func testAReleasedBatchNormOutputGivesExactlyTheGradientsOfAKeptOne() throws {
        for activation in [Activation.relu, .leakyReLU(slope: 0.1), .identity] {
            for pooled in [false, true] {
                let kept = try gradients(activation: activation, pooled: pooled, releasing: false, on: .cpu)
                let recomputed = try gradients(activation: activation, pooled: pooled, releasing: true, on: .cpu)
                XCTAssertEqual(recomputed, kept, "\(activation), read by a \(pooled ? "max pool" : "convolution")")
            }
        }
    }

    func testAReleasedBatchNormOutputOnTheCUDABackendGivesExactlyTheGradientsOfAKeptOne() throws {
        let gpu = Device.cuda(try EmulatedCUDARuntime.shared.get())
        for activation in [Activation.relu, .leakyReLU(slope: 0.1)] {
            let kept = try gradients(activation: activation, pooled: false, releasing: false, on: gpu)
            XCTAssertEqual(try gradients(activation: activation, pooled: false, releasing: true, on: gpu), kept, "\(activation)")
        }
    }

    func testAReleasedOutputIsFreedUntilABackwardStepReadsIt() throws {
        let net = try SmallNet(activation: .relu, on: .cpu)
        let middle = try net.middle()
        let y = try conv2d(middle, net.w2, padding: (1, 1))
        weak var storage = middle.value.storage
        XCTAssertTrue(middle.releaseValue())
        XCTAssertNil(storage, "the released output's buffer is still held")
        XCTAssertFalse(middle.holdsValue)
        XCTAssertEqual(middle.shape, [2, 4, 6, 6])
        try y.backward(seed: net.seed(y.shape))
        XCTAssertNotNil(net.w1.grad)
    }

    func testAValueWithoutARecipeIsKept() throws {
        let leaf = Variable(Tensor(shape: [2], repeating: 1), requiresGrad: true)
        XCTAssertFalse(leaf.releaseValue())
        XCTAssertTrue(leaf.holdsValue)
        let constant = try GradMode.withoutGradients { try SmallNet(activation: .relu, on: .cpu).middle() }
        XCTAssertFalse(constant.releaseValue(), "without a graph there is no backward pass to read it again")
    }

    func testBatchNormWritesItsInputGradientOverAGradientItHoldsAlone() throws {
        let net = try SmallNet(activation: .relu, on: .cpu)
        let x = try conv2d(net.x, net.w1, padding: (1, 1)).value
        var mean = net.runningMean.value, variance = net.runningVar.value
        let g = NormGeometry(outer: 2, channels: 4, inner: 36)
        let backend = CPUBackend.shared
        let saved = backend.batchNormTraining(x, weight: net.gamma.value, bias: net.beta.value, runningMean: &mean,
                                              runningVar: &variance, g, momentum: 0.1, epsilon: 1e-5, activation: .relu, residual: nil)
        let seed = net.seed(x.shape)
        func backward(_ dy: inout Tensor) -> Tensor? {
            backend.batchNormActivationBackward(&dy, x: x, weight: net.gamma.value, saved: saved, g, training: true, wantsInput: true).input
        }
        var shared = seed
        let fromShared = try XCTUnwrap(backward(&shared))
        XCTAssertEqual(shared.scalars, seed.scalars, "a gradient someone else holds is left as it was")
        XCTAssertFalse(fromShared.storage === seed.storage)
        var alone = seed.copied()
        let buffer = ObjectIdentifier(alone.storage)
        let fromAlone = try XCTUnwrap(backward(&alone))
        XCTAssertEqual(ObjectIdentifier(fromAlone.storage), buffer, "the input gradient took a buffer of its own")
        XCTAssertEqual(fromAlone.scalars, fromShared.scalars)
    }

    func testGradientsAreTheSameWhetherBatchNormReusesItsIncomingGradientOrNot() throws {
        for activation in [Activation.relu, .leakyReLU(slope: 0.1), .identity] {
            // A retained gradient is shared with the node, so batch norm writes its own; otherwise it overwrites it.
            let reused = try gradients(activation: activation, pooled: false, releasing: true, on: .cpu)
            let fresh = try gradients(activation: activation, pooled: false, releasing: true, retaining: true, on: .cpu)
            XCTAssertEqual(reused, fresh, "\(activation)")
        }
    }

    /// Gradients of the weights, γ and β of conv → batch norm + activation → conv (or max pool), in order.
    private func gradients(activation: Activation, pooled: Bool, releasing: Bool, retaining: Bool = false,
                           on device: Device) throws -> [[Float]] {
        let net = try SmallNet(activation: activation, on: device)
        let middle = try net.middle()
        middle.retainsGrad = retaining
        let y = pooled ? try maxPool2d(middle, kernel: 3, stride: 2, padding: 1) : try conv2d(middle, net.w2, padding: (1, 1))
        if releasing { XCTAssertTrue(middle.releaseValue()) }
        try y.backward(seed: net.seed(y.shape))
        return try [net.w1, net.gamma, net.beta].map { try XCTUnwrap($0.grad).scalars } + (pooled ? [] : [try XCTUnwrap(net.w2.grad).scalars])
    }
}

/// conv → batch norm (training) + activation, with seeded weights and a nontrivial γ and β.
private struct SmallNet {
    let x, w1, w2, gamma, beta, runningMean, runningVar: Variable
    let activation: Activation
    let device: Device

    init(activation: Activation, on device: Device) throws {
        var rng = RandomGenerator(seed: 11)
        func parameter(_ shape: [Int], _ std: Float, _ mean: Float = 0) -> Variable {
            var t = Initializer.normal(shape: shape, std: std, rng: &rng)
            t.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] += mean } }
            return Variable(t.to(device), requiresGrad: true)
        }
        x = Variable(Initializer.normal(shape: [2, 3, 6, 6], std: 1, rng: &rng).to(device))
        w1 = parameter([4, 3, 3, 3], 0.5)
        w2 = parameter([5, 4, 3, 3], 0.5)
        gamma = parameter([4], 0.3, 1)
        beta = parameter([4], 0.5)
        runningMean = Variable(Tensor(zeros: [4]).to(device))
        runningVar = Variable(Tensor(shape: [4], repeating: 1).to(device))
        self.activation = activation
        self.device = device
    }

    func middle() throws -> Variable {
        try batchNorm(try conv2d(x, w1, padding: (1, 1)), weight: gamma, bias: beta, runningMean: runningMean,
                      runningVar: runningVar, training: true, activation: activation)
    }

    func seed(_ shape: [Int]) -> Tensor {
        var rng = RandomGenerator(seed: 5)
        return Initializer.normal(shape: shape, std: 1, rng: &rng).to(device)
    }
}
