@testable import Engine
import XCTest

/// Products with weights packed once (PackedGEMM, evaluation's convolutions) give the values of OpenBLAS's sgemm
/// through im2col and of the textbook product, on sizes that cut the register tile (6 rows, 16 columns) and the
/// blocks of K (256) at odd places, C a block of a wider matrix, batches of 1 and 3, with the fused bias, residual
/// and (leaky) ReLU.
///
/// Tolerance: 3e-5 of the largest |value| of the reference. Both sides sum the same K products in float, in
/// different orders (the kernel sums K in blocks, OpenBLAS in its own), so they differ by a few ulps of the
/// sums' magnitudes; where evaluation alone takes Winograd's F(4,3), its transforms add WinogradTests' 3e-5.
/// A wrong panel, strip, mask or epilogue gives differences of the values' own size.
final class PackedGEMMTests: XCTestCase {
    private var rng = RandomGenerator(seed: 11)

    func testPackedProductEqualsTheTextbookProduct() throws {
        try XCTSkipUnless(PackedGEMM.isAvailable, "no AVX2 and FMA: every product goes to OpenBLAS")
        var checked = 0
        for threads in [1, 2] { try HostResources(threads: threads).run {
            // Rows around the panel height, columns around the strip width, K across the 256 block; one large enough to split.
            for (m, n, k) in [(1, 1, 1), (5, 17, 3), (6, 16, 257), (7, 15, 600), (13, 40, 9), (128, 130, 70)] {
                for fused in [false, true] {
                    let ldb = n + 2, ldc = n + 3
                    let a = Initializer.normal(shape: [m * k], std: 1, rng: &rng), b = Initializer.normal(shape: [k * ldb], std: 1, rng: &rng)
                    let bias = Initializer.normal(shape: [m], std: 1, rng: &rng), residual = Initializer.normal(shape: [m * ldc], std: 1, rng: &rng)
                    let packed = PackedGEMM.weights(a, kind: "test", m: m, k: k, lda: k) { _ in UnsafePointer(a.pointer) }
                    var c = Tensor(zeros: [m * ldc])
                    let e = fused ? ConvEpilogue(bias: bias, residual: residual, slope: 0.1) : nil
                    PackedGEMM.multiply(packed.pointer, m: m, n: n, k: k, b: b.pointer, ldb: ldb, c: c.mutablePointer(), ldc: ldc, e, split: true)
                    var expected = [Float](repeating: 0, count: m * ldc)
                    textbookProduct(m: m, n: n, k: k, a: a.scalars, b: b.scalars, ldb: ldb, residual: fused ? residual.scalars : nil,
                                    bias: fused ? bias.scalars : nil, slope: fused ? 0.1 : nil, ldc: ldc, into: &expected)
                    // Columns past n (C is a block of a wider matrix) stay as they were.
                    assertProductClose(c.scalars, expected, "\(m)×\(n)×\(k) fused \(fused) threads \(threads)")
                    checked += 1
                }
            }
        } }
        XCTAssertEqual(checked, 24)
    }

    /// Evaluation (no gradients: weights packed) against training's im2col and sgemm, every convolution kind.
    func testEvaluationConvolutionEqualsIm2colAndSgemm() throws {
        try XCTSkipUnless(PackedGEMM.isAvailable, "no AVX2 and FMA: every product goes to OpenBLAS")
        // (batch, in, out, side, kernel, stride, padding, policy, layout)
        let cases: [(Int, Int, Int, Int, Int, Int, Int, WinogradUse, ImageLayout)] = [
            (1, 3, 7, 9, 3, 1, 1, .off, .cnhw), (3, 5, 13, 7, 3, 2, 1, .off, .cnhw), (1, 6, 17, 5, 1, 1, 0, .off, .cnhw),
            (3, 3, 8, 11, 7, 2, 3, .off, .nchw), (1, 9, 19, 10, 3, 1, 1, .f4, .cnhw), (3, 17, 9, 6, 3, 1, 1, .f2, .nchw),
            (3, 16, 20, 13, 3, 1, 1, .f4, .nchw),
            // One image's few tiles: Winograd in evaluation only (F(4,3) on 16×16, F(2,3) on 8×8), im2col in training.
            (1, 16, 17, 16, 3, 1, 1, .auto, .cnhw), (1, 18, 16, 8, 3, 1, 1, .auto, .nchw)]
        for (n, c, oc, side, kernel, stride, padding, policy, layout) in cases {
            let x = Initializer.normal(shape: layout == .cnhw ? [c, n, side, side] : [n, c, side, side], std: 1, rng: &rng)
            let weight = Initializer.normal(shape: [oc, c, kernel, kernel], std: 0.3, rng: &rng)
            let bias = Initializer.normal(shape: [oc], std: 0.3, rng: &rng)
            let g = try convGeometry([n, c, side, side], weight.shape, bias.shape, stride: (stride, stride), padding: (padding, padding),
                                     layout: layout).using(policy)
            let residual = Initializer.normal(shape: g.outputShape, std: 1, rng: &rng)
            for (activation, adding) in [(Activation.identity, nil), (.relu, residual), (.leakyReLU(slope: 0.1), residual)] {
                let what = "\(n)×\(c)→\(oc) \(side)² k\(kernel) s\(stride) p\(padding) \(policy) \(layout) \(activation)"
                let expected = CPUBackend.shared.conv2d(x, weight, bias: bias, g, activation: activation, residual: adding)
                let actual = GradMode.withoutGradients {
                    CPUBackend.shared.conv2d(x, weight, bias: bias, g, activation: activation, residual: adding)
                }
                // Packed for the im2col product, or (every policy but off) for Winograd's.
                let kind = policy == .off ? "packed gemm" : "winograd"
                XCTAssertNotNil(weight.storage.derived.keys.first { $0.hasPrefix(kind) && $0.hasSuffix("packed") || $0 == kind },
                                "\(what): weights packed for \(kind)")
                assertProductClose(actual.scalars, expected.scalars, what)
            }
        }
    }
}
