@testable import Engine
import XCTest

/// Products with few columns on weights packed once (NarrowGEMM, one image's last convolutions in evaluation) give
/// the textbook product's values, on row counts that cut the 16-row panels, K across its 256 blocks, column counts
/// that fill one group of columns or several (and past 16, blocks of columns), with each part of the fused
/// epilogue alone and all together; both the vector kernel (where the processor runs it; elsewhere the same call
/// takes the plain path) and the plain C loop.
///
/// Tolerance: 3e-5 of the largest |value| of the reference, as PackedGEMMTests: the kernel sums K in float with
/// fused multiply-adds, the reference in double, so they differ by a few ulps of the sums' magnitudes. A wrong
/// panel, row, column, group or epilogue gives differences of the values' own size; cells outside C's m×n block
/// must keep their contents exactly.
final class NarrowGEMMTests: XCTestCase {
    private var rng = RandomGenerator(seed: 29)

    /// Which parts of the epilogue a case fuses.
    private struct Parts {
        var bias = false, residual = false, slope: Float?
        var fuses: Bool { bias || residual || slope != nil }
    }

    private static let everyEpilogue: [Parts] = [
        Parts(), Parts(bias: true), Parts(residual: true), Parts(slope: 0), Parts(slope: 0.1),
        Parts(bias: true, residual: true, slope: 0.1)]

    /// C's m×n block (rows ldc apart, one row beyond m and columns beyond n holding a marker) from the kernel, and
    /// the same from the reference, for random A, B, bias and residual.
    private func product(m: Int, n: Int, k: Int, _ parts: Parts, plain: Bool) -> (actual: [Float], expected: [Float]) {
        let ldb = n + 1, ldc = n + 2, marker: Float = 7
        let a = Initializer.normal(shape: [m * k], std: 1, rng: &rng), b = Initializer.normal(shape: [k * ldb], std: 1, rng: &rng)
        let bias = Initializer.normal(shape: [m], std: 1, rng: &rng), residual = Initializer.normal(shape: [m * ldc], std: 1, rng: &rng)
        let packed = NarrowGEMM.weights(a, kind: "test", m: m, k: k, lda: k)
        var c = Tensor(shape: [(m + 1) * ldc], repeating: marker)
        let e = parts.fuses ? ConvEpilogue(bias: parts.bias ? bias : nil, residual: parts.residual ? residual : nil, slope: parts.slope) : nil
        NarrowGEMM.multiply(packed.pointer, m: m, n: n, k: k, b: b.pointer, ldb: ldb, c: c.mutablePointer(), ldc: ldc, e,
                            split: true, plain: plain)
        var expected = Array(repeating: marker, count: (m + 1) * ldc)
        textbookProduct(m: m, n: n, k: k, a: a.scalars, b: b.scalars, ldb: ldb, residual: parts.residual ? residual.scalars : nil,
                        bias: parts.bias ? bias.scalars : nil, slope: parts.slope, ldc: ldc, into: &expected)
        return (c.scalars, expected)
    }

    func testNarrowProductEqualsTheTextbookProduct() {
        var checked = 0
        for plain in [false, true] {
            // Rows short of a panel, across one, and past two; K within one block and across two.
            for (m, k) in [(5, 3), (21, 300), (35, 257)] {
                // One column, one group, two groups, three groups; past 16 (not chosen, but right), two blocks of columns.
                for n in [1, 4, 7, 15, 20] {
                    for parts in Self.everyEpilogue {
                        let (actual, expected) = product(m: m, n: n, k: k, parts, plain: plain)
                        assertProductClose(actual, expected, "\(m)×\(n)×\(k) \(parts) plain \(plain)")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertEqual(checked, 2 * 3 * 5 * Self.everyEpilogue.count)
    }

    /// Weights large enough to be cut across two threads along their panels, the cut inside the panel count.
    func testNarrowProductSplitAcrossThreads() throws {
        for plain in [false, true] { try HostResources(threads: 2).run {
            let (actual, expected) = product(m: 520, n: 4, k: 513, Parts(bias: true, residual: true, slope: 0.1), plain: plain)
            assertProductClose(actual, expected, "520×4×513 on two threads plain \(plain)")
        } }
    }

    /// One image's last-stage convolutions in evaluation (weights kept packed where the processor runs the narrow
    /// kernel) against training's im2col and sgemm: 3×3 on a 2×2 map, stride 2 onto one, the 1×1 stride-2
    /// downsample, three images' 12 columns, and NCHW.
    func testEvaluationConvolutionOfFewColumnsEqualsIm2colAndSgemm() throws {
        // (batch, in, out, side, kernel, stride, padding, layout)
        let cases: [(Int, Int, Int, Int, Int, Int, Int, ImageLayout)] = [
            (1, 20, 37, 2, 3, 1, 1, .cnhw), (1, 9, 18, 4, 3, 2, 1, .cnhw), (1, 11, 17, 4, 1, 2, 0, .cnhw),
            (3, 8, 19, 2, 3, 1, 1, .cnhw), (1, 7, 21, 3, 3, 1, 1, .nchw)]
        for (n, c, oc, side, kernel, stride, padding, layout) in cases {
            let x = Initializer.normal(shape: layout == .cnhw ? [c, n, side, side] : [n, c, side, side], std: 1, rng: &rng)
            let weight = Initializer.normal(shape: [oc, c, kernel, kernel], std: 0.3, rng: &rng)
            let bias = Initializer.normal(shape: [oc], std: 0.3, rng: &rng)
            let g = try convGeometry([n, c, side, side], weight.shape, bias.shape, stride: (stride, stride), padding: (padding, padding),
                                     layout: layout)
            let residual = Initializer.normal(shape: g.outputShape, std: 1, rng: &rng)
            for (activation, adding) in [(Activation.identity, nil), (.relu, residual), (.leakyReLU(slope: 0.1), residual)] {
                let what = "\(n)×\(c)→\(oc) \(side)² k\(kernel) s\(stride) p\(padding) \(layout) \(activation)"
                let expected = CPUBackend.shared.conv2d(x, weight, bias: bias, g, activation: activation, residual: adding)
                let actual = GradMode.withoutGradients {
                    CPUBackend.shared.conv2d(x, weight, bias: bias, g, activation: activation, residual: adding)
                }
                XCTAssertEqual(weight.storage.derived["narrow gemm"] != nil, PackedGEMM.isAvailable, "\(what): weights packed narrow")
                assertProductClose(actual.scalars, expected.scalars, what)
            }
        }
    }

    /// A linear layer in evaluation (one or three rows: weights kept packed where the processor runs the narrow
    /// kernel) against training's sgemm, with and without its bias.
    func testEvaluationLinearOfFewRowsEqualsSgemm() throws {
        for (rows, bias) in [(1, true), (3, true), (1, false)] {
            let layer = Linear(37, 21, bias: bias, rng: &rng)
            let x = Variable(Initializer.normal(shape: [rows, 37], std: 1, rng: &rng))
            let expected = try layer(x).value
            let actual = try GradMode.withoutGradients { try layer(x).value }
            XCTAssertEqual(actual.shape, [rows, 21])
            XCTAssertEqual(layer.weight.value.storage.derived["narrow gemm"] != nil, PackedGEMM.isAvailable, "\(rows) rows: weights packed narrow")
            assertProductClose(actual.scalars, expected.scalars, "\(rows) rows bias \(bias)")
        }
    }
}
