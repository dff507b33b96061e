import CGEMM

/// Products with few columns (one image's last layers: a 2×2 map is 4 columns) on a layer's weights packed once
/// into CGEMM's narrow panels, vectorised along the weights' rows. OpenBLAS copies the whole weight matrix at every
/// such call before its kernel reads it again, and `PackedGEMM`'s 16-column tiles would leave most of their lanes
/// idle; here each weight is read once per call, which is what bounds these products.
enum NarrowGEMM {
    /// Whether the narrow product beats OpenBLAS and `PackedGEMM` on a right operand of n columns: below one of
    /// `PackedGEMM`'s 16-column register tiles, on a processor that runs its vector kernel.
    static func pays(n: Int) -> Bool { PackedGEMM.isAvailable && n > 0 && n < 16 }

    /// Weights of at least this many floats (a megabyte) are cut across the engine's threads; smaller ones stay on
    /// one, as `Product.splitMinimum` keeps small products whole, since a hand-off has a fixed cost.
    static let splitMinimum = 1 << 18

    /// The m×k matrix w (rows `lda` apart) packed for `multiply`, kept with w's storage under `kind` and made only
    /// the first time.
    static func weights(_ w: Tensor, kind: String, m: Int, k: Int, lda: Int) -> Tensor {
        w.storage.kept(kind) {
            var packed = Tensor(uninitialized: [mtmc_narrow_packed_size(m, k)])
            mtmc_pack_narrow(m, k, w.pointer, lda, packed.mutablePointer())
            return packed
        }
    }

    /// c = epilogue(A·B) for A the m×k matrix packed at `a` by `weights`, B k×n (rows `ldb` apart) and C m×n (rows
    /// `ldc` apart; its contents are never read); the residual's rows `ldc` apart like C's. With `split`, weights
    /// large enough to pay for the hand-off are cut across the engine's threads along their panels. `plain` runs
    /// the portable C loop whatever the processor (for tests of that path).
    static func multiply(_ a: UnsafePointer<Float>, m: Int, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, _ e: ConvEpilogue? = nil, split: Bool = false, plain: Bool = false) {
        guard m > 0, n > 0 else { return }
        let panels = (m + Int(MTMC_NARROW_PANEL_ROWS) - 1) / Int(MTMC_NARROW_PANEL_ROWS)
        let epilogue = mtmc_epilogue(bias: e?.bias, residual: e?.residual, ldr: ldc, activate: e?.slope == nil ? 0 : 1, slope: e?.slope ?? 0)
        func run(_ panels: Range<Int>) {
            let product = plain ? mtmc_narrow_gemm_plain : mtmc_narrow_gemm
            product(m, n, k, a, panels.lowerBound, panels.upperBound, b, ldb, c, ldc, epilogue)
        }
        let resources = HostResources.inUse, parts = resources.threads
        if split, parts > 1, panels > 1, m * k >= splitMinimum {
            let block = (panels + parts - 1) / parts, used = (panels + block - 1) / block
            let done = resources.workers.runOnWorkers(chunks: used) { part in run(part * block..<min(panels, (part + 1) * block)) }
            if done { return }
        }
        run(0..<panels)
    }
}
