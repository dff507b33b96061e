import CGEMM

/// Products with a layer's weights packed once into the panels that CGEMM's `mtmc_packed_gemm` reads. In
/// evaluation a convolution's weights never change, yet OpenBLAS packs both operands at every call and zeroes C
/// before a β = 0 product: with one image per call those passes and the hand-offs around them are a large share
/// of each layer's time. The packed form is kept with the weight's storage, like the Winograd transforms, and
/// dropped when the weights are written.
enum PackedGEMM {
    /// Whether this processor runs the packed product (AVX2 and FMA); elsewhere every product goes to OpenBLAS.
    static let isAvailable = mtmc_packed_gemm_available() != 0

    /// Whether the packed product beats OpenBLAS on a right operand B of k×n: where B holds at most about a
    /// megabyte (beyond that OpenBLAS's own packing of B pays for itself and its kernel runs ahead) and at least
    /// one 16-column register tile (narrower products, a 2×2 map's, would leave most of each tile's lanes idle).
    static func pays(n: Int, k: Int) -> Bool { isAvailable && n >= 16 && n * k <= 1 << 18 }

    /// Floats of one packed m×k matrix.
    static func size(m: Int, k: Int) -> Int { mtmc_packed_size(m, k) }

    /// `count` m×k matrices packed one after the other (matrix i's rows at `source(i)`, `lda` apart), kept with
    /// w's storage under `kind` and made only the first time.
    static func weights(_ w: Tensor, kind: String, count: Int = 1, m: Int, k: Int, lda: Int,
                        _ source: (Int) -> UnsafePointer<Float>) -> Tensor {
        w.storage.kept(kind) {
            let stride = size(m: m, k: k)
            var packed = Tensor(uninitialized: [count * stride])
            let pp = packed.mutablePointer()
            parallelFor(count, elementsPerItem: stride) { i in mtmc_pack_rows(m, k, source(i), lda, pp + i * stride) }
            return packed
        }
    }

    /// c = epilogue(A·B) for A the m×k matrix packed at `a`, B k×n (rows `ldb` apart) and C m×n (rows `ldc`
    /// apart; its contents are never read); the residual's rows `ldc` apart like C's. With `split`, a product large
    /// enough to pay for the hand-off is cut across the engine's threads, along the longer of C's panels and strips.
    static func multiply(_ a: UnsafePointer<Float>, m: Int, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, _ e: ConvEpilogue? = nil, split: Bool = false) {
        guard m > 0, n > 0 else { return }
        let panels = (m + Int(MTMC_PANEL_ROWS) - 1) / Int(MTMC_PANEL_ROWS), strips = (n + 15) / 16
        func run(_ rows: Range<Int>, _ columns: Range<Int>) {
            let first = columns.lowerBound
            let epilogue = mtmc_epilogue(bias: e?.bias, residual: e?.residual.map { $0 + first }, ldr: ldc,
                                         activate: e?.slope == nil ? 0 : 1, slope: e?.slope ?? 0)
            mtmc_packed_gemm(m, columns.count, k, a, rows.lowerBound, rows.upperBound, b + first, ldb, c + first, ldc, epilogue)
        }
        let resources = HostResources.inUse, parts = resources.threads
        if split, parts > 1, m * n * k >= Product.splitMinimum {
            let alongStrips = strips >= panels, length = alongStrips ? strips : panels
            let block = (length + parts - 1) / parts, used = (length + block - 1) / block
            let done = resources.workers.runOnWorkers(chunks: used) { part in
                let range = part * block..<min(length, (part + 1) * block)
                if alongStrips { run(0..<panels, range.lowerBound * 16..<min(n, range.upperBound * 16)) } else { run(range, 0..<n) }
            }
            if done { return }
        }
        run(0..<panels, 0..<n)
    }
}
