@testable import Engine
import XCTest

/// The CPU convolution unfolds large batches a chunk of images at a time (2 MB of columns); the
/// result must not depend on where the chunks fall.
final class ConvolutionChunkTests: XCTestCase {
    // 16·3·3 rows × 32·32 positions = 147,456 floats per image: 3 images per chunk, so chunks of 3, 3 and 1.
    private let batch = 7, channels = 16, size = 32

    private func batchAndGradients(_ rng: inout RandomGenerator) -> (x: Tensor, w: Tensor, seed: Tensor) {
        (Initializer.normal(shape: [batch, channels, size, size], std: 1, rng: &rng),
         Initializer.normal(shape: [4, channels, 3, 3], std: 0.1, rng: &rng),
         Initializer.normal(shape: [batch, 4, size, size], std: 1, rng: &rng))
    }

    func testADeepLayerGetsTwoThousandPositionsButNeverMoreThan16MBOfColumns() {
        func layer(_ channels: Int, _ size: Int) -> ConvGeometry {
            ConvGeometry(batch: 64, channels: channels, height: size, width: size, outChannels: channels, kernelH: 3, kernelW: 3,
                         strideH: 1, strideW: 1, padH: 1, padW: 1, outH: size, outW: size, layout: .cnhw)
        }
        XCTAssertEqual(CPUBackend.chunkImages(layer(16, 32)), 3)  // the 2 MB budget: 147,456 floats per image
        XCTAssertEqual(CPUBackend.chunkImages(layer(512, 2)), 64)  // 4 positions per image: at least 2048 → the batch
        XCTAssertEqual(CPUBackend.chunkImages(layer(512, 7)), 18)  // 42 images for 2048 positions would be 38 MB
    }

    func testABatchSpanningSeveralChunksEqualsImageByImageConvolution() throws {
        var rng = RandomGenerator(seed: 11)
        let (x, weight, seed) = batchAndGradients(&rng)
        let w = Variable(weight, requiresGrad: true)
        let whole = Variable(x, requiresGrad: true)
        let y = try conv2d(whole, w, nil, stride: (1, 1), padding: (1, 1), computingIn: .nchw)
        try y.backward(seed: seed)
        let batchGradW = w.grad!
        w.grad = nil

        let perImage = x.count / batch, perOutput = seed.count / batch
        var outputs: [Float] = [], inputGrads: [Float] = []
        for n in 0..<batch {
            let xn = Variable(try Tensor(shape: [1, channels, size, size], values: Array(x.scalars[n * perImage..<(n + 1) * perImage])),
                              requiresGrad: true)
            let yn = try conv2d(xn, w, nil, stride: (1, 1), padding: (1, 1), computingIn: .nchw)
            try yn.backward(seed: Tensor(shape: [1, 4, size, size], values: Array(seed.scalars[n * perOutput..<(n + 1) * perOutput])))
            outputs += yn.value.scalars
            inputGrads += xn.grad!.scalars
        }
        assertClose(y.value, try Tensor(shape: y.shape, values: outputs), "output")
        assertClose(whole.grad, try Tensor(shape: x.shape, values: inputGrads), "input gradient")
        assertClose(batchGradW, w.grad!, rtol: 1e-3, atol: 1e-3, "weight gradient (summed in another order)")
    }

    /// One image of a deep layer on two threads: im2col's rows are split between the threads (a 4×4 map's rows hold
    /// 16 positions each), by shifted copies at stride 1 and plane by plane at stride 2; the values are those of one
    /// thread. Tolerance: the products may be cut differently on two threads, the sums are the same.
    func testOneImageOfADeepLayerOnTwoThreadsEqualsOneThread() throws {
        var rng = RandomGenerator(seed: 13)
        for (channels, size, stride) in [(256, 4, 1), (64, 8, 2)] {
            let x = Variable(Initializer.normal(shape: [1, channels, size, size], std: 1, rng: &rng).inLayout(.cnhw))
            let w = Variable(Initializer.normal(shape: [channels, channels, 3, 3], std: 0.05, rng: &rng))
            func convolved(_ threads: Int) throws -> Tensor {
                try HostResources(threads: threads).run {
                    try GradMode.withoutGradients {
                        try conv2d(x, w, nil, stride: (stride, stride), padding: (1, 1), computingIn: .cnhw, convolution: .off).value
                    }
                }
            }
            assertClose(try convolved(2), try convolved(1), rtol: 1e-5, atol: 1e-6, "\(channels) channels, \(size)×\(size), stride \(stride)")
        }
    }

    /// In CNHW a stride-1 convolution unfolds each chunk's images as one shifted copy: the second and third
    /// chunks start at images 3 and 6 of every channel's planes, and the padding falls between images.
    func testAChannelMajorBatchSpanningSeveralChunksEqualsTheImageMajorOne() throws {
        var rng = RandomGenerator(seed: 12)
        let (x, weight, seed) = batchAndGradients(&rng)
        let wNCHW = Variable(weight, requiresGrad: true), wCNHW = Variable(weight, requiresGrad: true)
        let xNCHW = Variable(x, requiresGrad: true)
        let yNCHW = try conv2d(xNCHW, wNCHW, nil, stride: (1, 1), padding: (1, 1), computingIn: .nchw)
        try yNCHW.backward(seed: seed)

        let xCNHW = Variable(x.inLayout(.cnhw), requiresGrad: true)
        let yCNHW = try conv2d(xCNHW, wCNHW, nil, stride: (1, 1), padding: (1, 1), computingIn: .cnhw)
        try yCNHW.backward(seed: seed.inLayout(.cnhw))
        assertClose(yCNHW.value, yNCHW.value, "output")
        assertClose(xCNHW.grad, xNCHW.grad!, "input gradient")
        assertClose(wCNHW.grad, wNCHW.grad!, rtol: 1e-3, atol: 1e-3, "weight gradient")
    }
}
