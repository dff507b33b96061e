/// The weight gradient of a 3×3 stride-1 convolution through Winograd's tiles: the adjoint of the forward
/// pass y = Aᵀ[(G·w·Gᵀ) ⊙ (Bᵀ·d·B)]A in w, dw = Σ over tiles of Gᵀ[(A·dy·Aᵀ) ⊙ (Bᵀ·d·B)]G. Per chunk of the
/// forward's output tiles: V = Bᵀ·d·B of x's patches (the forward's own input transform), dM = A·dy·Aᵀ of dy's
/// tiles (zero past the output's edge, where the forward drops what it computed), and α² products
/// dU[ξ] += dM[ξ]·V[ξ]ᵀ ([OC, tiles]·[tiles, C]); at the end each kernel's gradient is Gᵀ·dU·G. That is α²
/// multiply-adds per tile and channel pair where im2col's product takes 9·m² (F(4,3): 36 for 144).
extension CPUBackend {
    /// dw [OC, C, 3, 3] of the convolution `plan.g` of x, given its output gradient dy (both in g's layout).
    func winogradWeightGradient(_ dy: Tensor, x: Tensor, _ plan: WinogradPlan) -> Tensor {
        let g = plan.g, perChunk = plan.tilesPerChunk, rows = plan.points * perChunk, kernels = g.outChannels * g.channels
        var v = Tensor(uninitialized: [plan.points * g.channels * perChunk])
        var dm = Tensor(uninitialized: [plan.points * g.outChannels * perChunk])
        var du = Tensor(uninitialized: [plan.points * kernels])
        let vp = v.mutablePointer(), dmp = dm.mutablePointer(), dup = du.mutablePointer()
        for start in stride(from: 0, to: plan.tileCount, by: perChunk) {
            let tiles = start..<min(plan.tileCount, start + perChunk)
            winogradInput(x.pointer, plan, tiles, into: vp, rowLength: perChunk)
            winogradOutputGradient(dy.pointer, plan, tiles, rowLength: perChunk, into: dmp)
            // Rows as in the forward pass: channel c's α² rows together, ξ's row of c at (c·α² + ξ)·perChunk.
            parallelFor(plan.points) { xi in
                gemm(transB: true, m: g.outChannels, n: g.channels, k: tiles.count, a: dmp + xi * perChunk, lda: rows,
                     b: vp + xi * perChunk, ldb: rows, beta: start == 0 ? 0 : 1, c: dup + xi * kernels)
            }
        }
        return kernelGradients(dup, plan)
    }

    /// dM[o][ξ][t − tiles.lowerBound] = (A·g·Aᵀ)[ξ] for output channel o and tile t, g the m×m tile of dy (zero past
    /// the output's edge); rows `rowLength` apart, eight tiles at a time, lanes past the chunk's end zero.
    private func winogradOutputGradient(_ dyp: UnsafePointer<Float>, _ plan: WinogradPlan, _ tiles: Range<Int>, rowLength: Int,
                                        into dmp: UnsafeMutablePointer<Float>) {
        let g = plan.g, a = plan.alpha, m = plan.tile.m
        forEachTileGroup(g.outChannels, plan, tiles) { o, group, sp in
            // The m×m values at sp[(r·α + s)·8 + lane], then A along each of the m rows and along each of the α columns.
            for r in 0..<m { for s in 0..<m { store8(sp, (r * a + s) * 8, SIMD8()) } }
            forEachOutputTile(plan, channel: o, group) { lane, offset, rows, cols in
                for r in 0..<rows { for s in 0..<cols { sp[(r * a + s) * 8 + lane] = dyp[offset + r * g.outW + s] } }
            }
            for r in 0..<m { plan.tile.outputAdjoint(sp + r * a * 8, 8) }
            for s in 0..<a { plan.tile.outputAdjoint(sp + s * 8, a * 8) }
            let dst = dmp + o * plan.points * rowLength + (group.lowerBound - tiles.lowerBound)
            for xi in 0..<plan.points { store8(dst, xi * rowLength, load8(sp, xi * 8)) }
        }
    }

    /// dw[o][c] = Gᵀ·dU[·][o][c]·G for every kernel, dU [α², OC·C]: eight input channels at a time, one per lane
    /// (dU holds them side by side), through a scratch of α² lane-vectors.
    private func kernelGradients(_ dup: UnsafePointer<Float>, _ plan: WinogradPlan) -> Tensor {
        let g = plan.g, a = plan.alpha, kernels = g.outChannels * g.channels
        var dw = Tensor(uninitialized: [g.outChannels, g.channels, 3, 3])
        let dwp = dw.mutablePointer()
        parallelChunks((kernels + 7) / 8, minimumPerChunk: max(1, Self.elementwiseChunk / (8 * plan.points))) { groups in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: plan.points * 8) { scratch in
                let sp = scratch.baseAddress!
                for group in groups {
                    let first = group * 8, lanes = min(8, kernels - first)
                    for xi in 0..<plan.points {
                        let source = dup + xi * kernels + first
                        if lanes == 8 { store8(sp, xi * 8, load8(source, 0)) } else { for l in 0..<lanes { sp[xi * 8 + l] = source[l] } }
                    }
                    // Gᵀ along each of the α columns (rows 0..<3 left), then along each of those 3 rows.
                    for s in 0..<a { plan.tile.filterAdjoint(sp + s * 8, a * 8) }
                    for r in 0..<3 { plan.tile.filterAdjoint(sp + r * a * 8, 8) }
                    for l in 0..<lanes {
                        let kernel = dwp + (first + l) * 9
                        for r in 0..<3 { for s in 0..<3 { kernel[r * 3 + s] = sp[(r * a + s) * 8 + l] } }
                    }
                }
            }
        }
        return dw
    }
}
