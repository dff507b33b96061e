import Engine
import XCTest

/// The CPU convolution unfolds large batches a chunk of images at a time (16 MB of columns); the
/// result must not depend on where the chunks fall.
final class ConvolutionChunkTests: XCTestCase {
    func testABatchSpanningSeveralChunksEqualsImageByImageConvolution() throws {
        // 16·3·3 rows × 64·64 positions = 589,824 floats per image: 7 images per chunk, so chunks of 7, 7 and 1.
        var rng = RandomGenerator(seed: 11)
        let batch = 15
        let x = Initializer.normal(shape: [batch, 16, 64, 64], std: 1, rng: &rng)
        let w = Variable(Initializer.normal(shape: [4, 16, 3, 3], std: 0.1, rng: &rng), requiresGrad: true)
        let seed = Initializer.normal(shape: [batch, 4, 64, 64], std: 1, rng: &rng)

        let whole = Variable(x, requiresGrad: true)
        let y = try conv2d(whole, w, stride: (1, 1), padding: (1, 1))
        try y.backward(seed: seed)
        let batchGradW = w.grad!
        w.grad = nil

        let perImage = x.count / batch, perOutput = seed.count / batch
        var outputs: [Float] = [], inputGrads: [Float] = []
        for n in 0..<batch {
            let xn = Variable(try Tensor(shape: [1, 16, 64, 64], values: Array(x.scalars[n * perImage..<(n + 1) * perImage])), requiresGrad: true)
            let yn = try conv2d(xn, w, stride: (1, 1), padding: (1, 1))
            try yn.backward(seed: Tensor(shape: [1, 4, 64, 64], values: Array(seed.scalars[n * perOutput..<(n + 1) * perOutput])))
            outputs += yn.value.scalars
            inputGrads += xn.grad!.scalars
        }
        assertClose(y.value, try Tensor(shape: y.shape, values: outputs), "output")
        assertClose(whole.grad, try Tensor(shape: x.shape, values: inputGrads), "input gradient")
        assertClose(batchGradW, w.grad!, rtol: 1e-3, atol: 1e-3, "weight gradient (summed in another order)")
    }
}
