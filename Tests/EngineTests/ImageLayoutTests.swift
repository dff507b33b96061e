@testable import Engine
import XCTest

/// A tensor's shape is PyTorch's whatever layout its backend computed it in: the CPU computes convolutions
/// channel-major, the ops after a convolution keep that layout, and every read gives PyTorch's order.
final class ImageLayoutTests: XCTestCase {
    private var rng = RandomGenerator(seed: 21)

    /// [2, 3, 2, 2] holding 0, 1, 2, … in PyTorch's order.
    private let counting = try! Tensor(shape: [2, 3, 2, 2], values: (0..<24).map(Float.init))

    func testAChannelMajorTensorReadsInPyTorchsOrderAndLiesChannelMajorInMemory() throws {
        let t = counting.inLayout(.cnhw)
        XCTAssertEqual(t.layout, .cnhw)
        XCTAssertEqual(t.shape, [2, 3, 2, 2], "the shape stays PyTorch's")
        XCTAssertEqual(t.scalars, counting.scalars)
        XCTAssertEqual(t[1, 2, 0, 1], 21)
        XCTAssertEqual(try t.reshaped([6, 4]).scalars, counting.scalars, "a reshape reads the values in PyTorch's order")
        // In memory each channel's planes of the whole batch lie together: image 0's channel 0, then image 1's.
        XCTAssertEqual(t.memory.shape, [3, 2, 2, 2])
        XCTAssertEqual(Array(t.memory.scalars.prefix(8)), [0, 1, 2, 3, 12, 13, 14, 15])
        XCTAssertEqual(t.inLayout(.nchw).layout, .nchw)
        XCTAssertEqual(t.inLayout(.nchw).memory.scalars, counting.scalars)
    }

    func testAskingForNCHWGivesTheSameValuesAndTheGradientFlowsBackChannelMajor() throws {
        let x = Variable(counting.inLayout(.cnhw), requiresGrad: true)
        let y = try inLayout(x, .nchw)
        XCTAssertEqual(y.value.layout, .nchw)
        XCTAssertEqual(y.value.memory.scalars, counting.scalars, "row-major memory in PyTorch's order")
        let seed = Initializer.normal(shape: [2, 3, 2, 2], std: 1, rng: &rng)
        try y.backward(seed: seed)
        let grad = try XCTUnwrap(x.grad)
        XCTAssertEqual(grad.layout, .cnhw, "a gradient lies as its variable does")
        XCTAssertEqual(grad.scalars, seed.scalars)
    }

    func testTheCPUComputesAConvolutionChannelMajorAndTheLayersAfterItKeepThatLayout() throws {
        let x = Variable(Initializer.normal(shape: [2, 3, 6, 6], std: 1, rng: &rng))
        let conv = Conv2D(3, 4, kernel: 3, padding: 1, rng: &rng), bn = BatchNorm(4)
        let convolved = try conv(x)
        XCTAssertEqual(convolved.shape, [2, 4, 6, 6])
        XCTAssertEqual(convolved.value.layout, .cnhw)
        let normalised = try bn(convolved)
        let rectified = relu(normalised)
        let summed = try add(rectified, convolved)
        let pooled = try maxPool2d(summed, kernel: 2)
        for (name, v) in [("batch norm", normalised), ("ReLU", rectified), ("add", summed), ("max pool", pooled)] {
            XCTAssertEqual(v.value.layout, .cnhw, "\(name) keeps its input's layout")
        }
        XCTAssertEqual(pooled.shape, [2, 4, 3, 3])
        XCTAssertEqual(try globalAvgPool(pooled).shape, [2, 4])
    }

    /// conv → batch norm (training) → ReLU → max pool → conv → batch norm + residual → ReLU → global pool, computed
    /// channel-major as the CPU chooses, against the same stack computed image-major: outputs and every gradient.
    func testAConvolutionStackComputedChannelMajorGivesTheImageMajorAnswer() throws {
        let input = Initializer.normal(shape: [3, 2, 8, 8], std: 1, rng: &rng)
        let first = Conv2D(2, 5, kernel: 3, padding: 1, rng: &rng), second = Conv2D(5, 5, kernel: 3, padding: 1, rng: &rng)
        let seed = Initializer.normal(shape: [3, 5], std: 1, rng: &rng)
        func run(_ layout: ImageLayout?) throws -> [Tensor?] {
            func convolve(_ conv: Conv2D, _ x: Variable) throws -> Variable {
                guard let layout else { return try conv(x) }
                return try conv2d(x, conv.weight, conv.bias, stride: conv.stride, padding: conv.padding, computingIn: layout)
            }
            let x = Variable(input, requiresGrad: true), bn1 = BatchNorm(5), bn2 = BatchNorm(5)
            let h = try maxPool2d(try bn1(try convolve(first, x), relu: true), kernel: 2)
            let y = try globalAvgPool(try bn2(try convolve(second, h), activation: .relu, adding: h))
            try y.backward(seed: seed)
            defer { for v in [first.weight, first.bias!, second.weight, second.bias!] { v.grad = nil } }
            return [y.value, x.grad, first.weight.grad, first.bias!.grad, second.weight.grad, bn1.runningVar.value, bn2.runningMean.value]
        }
        let expected = try run(.nchw), actual = try run(nil)
        for (i, what) in ["features", "grad x", "grad conv1 weight", "grad conv1 bias", "grad conv2 weight", "bn1 running var",
                          "bn2 running mean"].enumerated() {
            assertClose(actual[i], try XCTUnwrap(expected[i]), what)
        }
    }
}
