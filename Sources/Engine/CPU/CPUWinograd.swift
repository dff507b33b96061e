import Foundation

/// Which 3×3 stride-1 convolutions run as Winograd products on the CPU: `auto` those where it measured
/// faster (`WinogradPlan.automatic`), `off` none (every convolution through im2col and one sgemm),
/// `f2` / `f4` every one that can, with that tile (tests and A/B measurements). A convolution layer holds
/// its model's choice (`EngineContext.convolution`) and hands it to the kernels in its `ConvGeometry`.
public enum WinogradUse: String, Sendable {
    case auto, off, f2, f4
}

/// Winograd's minimal filtering F(m×m, 3×3): an m×m output tile from the α×α input patch under it
/// (α = m + 2) as Aᵀ[(G·w·Gᵀ) ⊙ (Bᵀ·d·B)]A, α² products per tile and channel pair where a direct
/// convolution takes 9·m² (F(2,3): 16 for 36; F(4,3): 36 for 144). F(4,3) saves more products but its
/// transforms scale values by up to 8·5, so its rounding error is a few times F(2,3)'s (still ≈ 1e-6
/// of the output's magnitude in float, WinogradTests).
enum WinogradTile {
    case f2, f4

    /// Output tile side m.
    var m: Int { self == .f2 ? 2 : 4 }
    var alpha: Int { m + 2 }

    /// G applied to the 3 lane-vectors p[0], p[step], p[2·step] (a column or row of eight 3×3 kernels): the α
    /// results fill p[0], p[step], … in place.
    @inline(__always)
    func filter(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
        let a = load8(p, 0), b = load8(p, step), c = load8(p, 2 * step)
        switch self {
        case .f2:
            let h = 0.5 * (a + c), e = 0.5 * b
            store8(p, 0, a); store8(p, step, h + e); store8(p, 2 * step, h - e); store8(p, 3 * step, c)
        case .f4:
            let s = -(a + c) / 6, d = b / 6, e = a / 24 + c / 6, f = b / 12
            store8(p, 0, a / 4); store8(p, step, s - d); store8(p, 2 * step, s + d)
            store8(p, 3 * step, e + f); store8(p, 4 * step, e - f); store8(p, 5 * step, c)
        }
    }

    /// Bᵀ applied to the α lane-vectors p[0], p[step], …, in place.
    @inline(__always)
    func input(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
        switch self {
        case .f2:
            let d0 = load8(p, 0), d1 = load8(p, step), d2 = load8(p, 2 * step), d3 = load8(p, 3 * step)
            store8(p, 0, d0 - d2); store8(p, step, d1 + d2); store8(p, 2 * step, d2 - d1); store8(p, 3 * step, d1 - d3)
        case .f4:
            let d0 = load8(p, 0), d1 = load8(p, step), d2 = load8(p, 2 * step)
            let d3 = load8(p, 3 * step), d4 = load8(p, 4 * step), d5 = load8(p, 5 * step)
            let a = d4 - 4 * d2, b = d3 - 4 * d1, c = d4 - d2, e = 2 * (d3 - d1)
            store8(p, 0, 4 * d0 - 5 * d2 + d4)
            store8(p, step, a + b); store8(p, 2 * step, a - b)
            store8(p, 3 * step, c + e); store8(p, 4 * step, c - e)
            store8(p, 5 * step, 4 * d1 - 5 * d3 + d5)
        }
    }

    /// out[0..<m] = source[0], source[8], …: one output row of a tile, from its lane in the transform's scratch.
    @inline(__always)
    func storeRow(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(out)
        switch self {
        case .f2: raw.storeBytes(of: SIMD2(source[0], source[8]), as: SIMD2<Float>.self)
        case .f4: raw.storeBytes(of: SIMD4(source[0], source[8], source[16], source[24]), as: SIMD4<Float>.self)
        }
    }

    /// One row of every lane's tile: lane l's m values source[l], source[8 + l], … to out + offsets[l]. The m
    /// lane-vectors are loaded once and taken apart in registers (the loop over the lanes unrolls to constant
    /// lanes), rather than m scalar loads per lane from the scratch.
    @inline(__always)
    func storeRows(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ offsets: SIMD8<Int>) {
        switch self {
        case .f2:
            let v0 = load8(source, 0), v1 = load8(source, 8)
            for l in 0..<8 { UnsafeMutableRawPointer(out + offsets[l]).storeBytes(of: SIMD2(v0[l], v1[l]), as: SIMD2<Float>.self) }
        case .f4:
            let v0 = load8(source, 0), v1 = load8(source, 8), v2 = load8(source, 16), v3 = load8(source, 24)
            for l in 0..<8 {
                UnsafeMutableRawPointer(out + offsets[l]).storeBytes(of: SIMD4(v0[l], v1[l], v2[l], v3[l]), as: SIMD4<Float>.self)
            }
        }
    }

    /// Aᵀ applied to the α lane-vectors p[0], p[step], …: the m results replace the first m, in place.
    @inline(__always)
    func output(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
        switch self {
        case .f2:
            let m0 = load8(p, 0), m1 = load8(p, step), m2 = load8(p, 2 * step), m3 = load8(p, 3 * step)
            store8(p, 0, m0 + m1 + m2); store8(p, step, m1 - m2 - m3)
        case .f4:
            let m0 = load8(p, 0), m1 = load8(p, step), m2 = load8(p, 2 * step)
            let m3 = load8(p, 3 * step), m4 = load8(p, 4 * step), m5 = load8(p, 5 * step)
            let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
            store8(p, 0, m0 + s12 + s34); store8(p, step, d12 + 2 * d34)
            store8(p, 2 * step, s12 + 4 * s34); store8(p, 3 * step, d12 + 8 * d34 + m5)
        }
    }
}

extension WinogradTile {
    /// A applied to the m lane-vectors p[0], p[step], …: the α results fill p[0], p[step], … in place (the
    /// adjoint of `output`, which carries an output tile's gradient back to the α×α products).
    @inline(__always)
    func outputAdjoint(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
        switch self {
        case .f2:
            let g0 = load8(p, 0), g1 = load8(p, step)
            store8(p, 0, g0); store8(p, step, g0 + g1); store8(p, 2 * step, g0 - g1); store8(p, 3 * step, -g1)
        case .f4:
            let g0 = load8(p, 0), g1 = load8(p, step), g2 = load8(p, 2 * step), g3 = load8(p, 3 * step)
            let even = g0 + g2, odd = g1 + g3, even4 = g0 + 4 * g2, odd4 = 2 * g1 + 8 * g3
            store8(p, 0, g0); store8(p, step, even + odd); store8(p, 2 * step, even - odd)
            store8(p, 3 * step, even4 + odd4); store8(p, 4 * step, even4 - odd4); store8(p, 5 * step, g3)
        }
    }

    /// Gᵀ applied to the α lane-vectors p[0], p[step], …: the 3 results fill p[0], p[step], p[2·step] in place
    /// (the adjoint of `filter`, which carries the products' gradient back to a 3×3 kernel's).
    @inline(__always)
    func filterAdjoint(_ p: UnsafeMutablePointer<Float>, _ step: Int) {
        switch self {
        case .f2:
            let u0 = load8(p, 0), u1 = load8(p, step), u2 = load8(p, 2 * step), u3 = load8(p, 3 * step)
            let s = 0.5 * (u1 + u2), d = 0.5 * (u1 - u2)
            store8(p, 0, u0 + s); store8(p, step, d); store8(p, 2 * step, s + u3)
        case .f4:
            let u0 = load8(p, 0), u1 = load8(p, step), u2 = load8(p, 2 * step)
            let u3 = load8(p, 3 * step), u4 = load8(p, 4 * step), u5 = load8(p, 5 * step)
            let s12 = u1 + u2, d12 = u2 - u1, s34 = u3 + u4, d34 = u3 - u4
            store8(p, 0, 0.25 * u0 - s12 / 6 + s34 / 24)
            store8(p, step, d12 / 6 + d34 / 12)
            store8(p, 2 * step, (s34 - s12) / 6 + u5)
        }
    }
}

/// One convolution's Winograd tiling: output tiles t = (n·tilesH + th)·tilesW + tw, edge tiles reaching
/// past the output (their extra values are computed and dropped), taken `tilesPerChunk` at a time.
struct WinogradPlan {
    let g: ConvGeometry
    let tile: WinogradTile
    var alpha: Int { tile.alpha }
    /// Transform points ξ = α².
    var points: Int { tile.alpha * tile.alpha }
    var tilesH: Int { (g.outH + tile.m - 1) / tile.m }
    var tilesW: Int { (g.outW + tile.m - 1) / tile.m }
    var tileCount: Int { g.batch * tilesH * tilesW }

    /// Floats of transformed input and products held per chunk of tiles (4 MB), but at least `minimumChunk`
    /// tiles: the α² sgemms read all of U for each chunk, and with fewer tiles than that (512 channels in and
    /// out) they run at the speed of those reads (`mtmc-bench conv`). Larger chunks make a small training
    /// step a little cheaper but raise the training memory peaks well above im2col's (BENCHMARKS.md, "Figures
    /// that left the code").
    static let chunkBudget = 1 << 20
    static let minimumChunk = 128

    /// Tiles per chunk: a multiple of 8 (the transforms' lanes).
    var tilesPerChunk: Int {
        let fit = max(Self.minimumChunk, Self.chunkBudget / max(1, points * (g.channels + g.outChannels)))
        return min((tileCount + 7) / 8 * 8, fit / 8 * 8)
    }

    /// The plan for `g` under its policy, or nil when the convolution goes through im2col: not 3×3 stride 1 with
    /// padding ≤ 2, or (`auto`) a shape where Winograd did not measure faster. Every pass (forward, input
    /// gradient, weight gradient) and evaluation alike choose by `automatic`.
    init?(_ g: ConvGeometry) {
        guard WinogradPlan.fits(g) else { return nil }
        switch g.convolution {
        case .off: return nil
        case .f2: tile = .f2
        case .f4: tile = .f4
        case .auto:
            guard let chosen = WinogradPlan.automatic(g) else { return nil }
            tile = chosen
        }
        self.g = g
    }

    /// Whether g is a convolution Winograd's tiles can run: 3×3, stride 1, padding ≤ 2 (so that its input
    /// gradient's padding 2 − p is one too).
    static func fits(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.padH <= 2 && g.padW <= 2
    }

    /// The tile that `mtmc-bench conv --threads 1` finds fastest for g, nil where im2col is (the figures per
    /// shape are in BENCHMARKS.md, "Figures that left the code"). F(4,3) wins from 64 tiles on maps of at least
    /// 4×4, in the forward pass, the input and the weight gradient. On 2×2 maps a 4×4 tile computes 16 values
    /// for 4; F(2,3) wins there from 128 input channels and 64 tiles, but not with 32–64 channels, where its
    /// sgemms' K = C is too short. Fewer tiles stay on im2col, and so does a first layer (3 channels).
    static func automatic(_ g: ConvGeometry) -> WinogradTile? {
        guard g.channels >= 16, g.outChannels >= 16 else { return nil }
        func tiles(_ m: Int) -> Int { g.batch * ((g.outH + m - 1) / m) * ((g.outW + m - 1) / m) }
        if tiles(4) >= 64 && min(g.outH, g.outW) >= 4 { return .f4 }
        return g.channels >= 128 && tiles(2) >= 64 ? .f2 : nil
    }

    /// The plan for g in evaluation, where products with packed weights (PackedGEMM) cost no per-call packing:
    /// under `auto`, also the few-tile shapes of small batches that `automatic` leaves to im2col.
    init?(evaluating g: ConvGeometry) {
        if let plan = WinogradPlan(g) { self = plan; return }
        guard WinogradPlan.fits(g), g.convolution == .auto, let chosen = WinogradPlan.fewTiles(g) else { return nil }
        self.g = g
        tile = chosen
    }

    /// With weights packed, one image's 3×3 layers of 16 channels and more run faster through Winograd from
    /// 16 tiles on: F(4,3) where a map holds 16 of its tiles, else F(2,3) (8×8 maps, where F(4,3)'s 4 tiles would
    /// leave most of the product's 16-column register tile idle). Only below `automatic`'s 64 tiles.
    static func fewTiles(_ g: ConvGeometry) -> WinogradTile? {
        guard PackedGEMM.isAvailable, g.channels >= 16, g.outChannels >= 16 else { return nil }
        func tiles(_ m: Int) -> Int { g.batch * ((g.outH + m - 1) / m) * ((g.outW + m - 1) / m) }
        if tiles(4) >= 16 && tiles(4) < 64 && min(g.outH, g.outW) >= 4 { return .f4 }
        return tiles(2) >= 16 && tiles(4) < 64 ? .f2 : nil
    }

    /// The plan for the weight gradient of g: the forward pass's own tiles.
    init?(weightGradientOf g: ConvGeometry) {
        self.init(g)
    }

    /// The plan for the input gradient of g, a 3×3 stride-1 convolution with padding p ≤ 2: dy convolved with
    /// the weights rotated 180° and their channel axes swapped, padding 2 − p, which gives back the input's size.
    init?(inputGradientOf g: ConvGeometry) {
        guard WinogradPlan.fits(g) else { return nil }
        self.init(ConvGeometry(batch: g.batch, channels: g.outChannels, height: g.outH, width: g.outW, outChannels: g.channels,
                               kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 2 - g.padH, padW: 2 - g.padW,
                               outH: g.height, outW: g.width, layout: g.layout, convolution: g.convolution))
    }
}

/// What a convolution adds to its output before storing it: activation((y + residual) + bias), the
/// residual in the output's layout, the activation a (leaky) ReLU of negative slope `slope` when given.
struct ConvEpilogue {
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var slope: Float?

    init(bias: Tensor?, residual: Tensor?, slope: Float?) {
        self.bias = bias.map { UnsafePointer($0.pointer) }
        self.residual = residual.map { UnsafePointer($0.pointer) }
        self.slope = slope
    }

    /// The same epilogue for the output from element `offset` on (the residual read from there too).
    func offset(by offset: Int) -> ConvEpilogue {
        var e = self
        e.residual = residual.map { $0 + offset }
        return e
    }
}

extension CPUBackend {
    /// The convolution of x by `plan`: per chunk of tiles, the input transform V[C][ξ][tiles], α² sgemms
    /// M[ξ] = U[ξ]·V[ξ] ([OC, C]·[C, tiles]), and the output transform with the epilogue into y (x's layout).
    /// `weight` is [OC, C, 3, 3], or with `flipped` the forward weight of the convolution whose input gradient
    /// this is ([C, OC, 3, 3], read rotated 180°). With `keepWeights` the transformed weights stay with the
    /// weight's storage for the next call (until the weights are written).
    func winogradConvolution(_ x: Tensor, _ weight: Tensor, _ plan: WinogradPlan, flipped: Bool = false,
                             keepWeights: Bool = false, _ epilogue: ConvEpilogue) -> Tensor {
        let g = plan.g, perChunk = plan.tilesPerChunk
        // Kept weights (evaluation) whose products are small enough are kept packed for PackedGEMM instead, each ξ's
        // [OC, C] matrix on its own.
        let packedStride = PackedGEMM.size(m: g.outChannels, k: g.channels)
        let packed = keepWeights && PackedGEMM.pays(n: perChunk, k: g.channels) ? packedWinogradWeights(weight, plan, flipped: flipped) : nil
        let u = packed == nil ? winogradWeights(weight, plan, flipped: flipped, keep: keepWeights) : nil
        var y = Tensor(uninitialized: g.outputShape)
        var v = Tensor(uninitialized: [plan.points * g.channels * perChunk])
        var products = Tensor(uninitialized: [plan.points * g.outChannels * perChunk])
        let yp = y.mutablePointer(), vp = v.mutablePointer(), mp = products.mutablePointer()
        for start in stride(from: 0, to: plan.tileCount, by: perChunk) {
            let tiles = start..<min(plan.tileCount, start + perChunk)
            winogradInput(x.pointer, plan, tiles, into: vp, rowLength: perChunk)
            // Row c of V[ξ] (o of M[ξ]) at (c·α² + ξ)·perChunk: a channel's α² rows lie together, so the transforms
            // read and write one compact block per channel instead of α² rows a whole matrix apart.
            let rows = plan.points * perChunk
            // One whole product per thread: each is often under a million multiply-adds (too small to cut).
            parallelFor(plan.points) { xi in
                if let packed {
                    PackedGEMM.multiply(packed.pointer + xi * packedStride, m: g.outChannels, n: tiles.count, k: g.channels,
                                        b: vp + xi * perChunk, ldb: rows, c: mp + xi * perChunk, ldc: rows)
                } else {
                    gemm(m: g.outChannels, n: tiles.count, k: g.channels, a: u!.pointer + xi * g.outChannels * g.channels,
                         b: vp + xi * perChunk, ldb: rows, c: mp + xi * perChunk, ldc: rows)
                }
            }
            winogradOutput(mp, plan, tiles, rowLength: perChunk, epilogue, into: yp)
        }
        return y
    }

    /// U[ξ][o][i] = (G·k·Gᵀ)[ξ] for the kernel k of output channel o and input channel i of the plan: the one
    /// kept with w's storage when it was made for this tile and orientation, else computed (and kept with `keep`).
    private func winogradWeights(_ w: Tensor, _ plan: WinogradPlan, flipped: Bool, keep: Bool) -> Tensor {
        // No shape in the key: U lists the 3×3 kernels in w's own order, so any [A, B, 3, 3] view of w has the same U.
        let kind = "winograd \(plan.tile)\(flipped ? " flipped" : "")"
        if let kept = w.storage.derived[kind] { return kept }
        let u = transformedWeights(w, plan, flipped: flipped)
        if keep { w.storage.derived[kind] = u }
        return u
    }

    /// U packed for PackedGEMM, one ξ after the other, kept with w's storage (U itself is not kept).
    private func packedWinogradWeights(_ w: Tensor, _ plan: WinogradPlan, flipped: Bool) -> Tensor {
        let kind = "winograd \(plan.tile)\(flipped ? " flipped" : "") packed", oc = plan.g.outChannels, c = plan.g.channels
        if let kept = w.storage.derived[kind] { return kept }  // before the transform, which only the packing needs
        let u = transformedWeights(w, plan, flipped: flipped)
        return PackedGEMM.weights(w, kind: kind, count: plan.points, m: oc, k: c, lda: c) { UnsafePointer(u.pointer + $0 * oc * c) }
    }

    /// U for every kernel, eight input channels at a time, one per lane, through a scratch of α² lane-vectors:
    /// U[ξ][o][i…i+7] lie side by side, so each ξ is one store (one kernel at a time would scatter its α² values
    /// to α² places a whole matrix apart).
    private func transformedWeights(_ w: Tensor, _ plan: WinogradPlan, flipped: Bool) -> Tensor {
        let rows = plan.g.outChannels, cols = plan.g.channels, a = plan.alpha, tile = plan.tile
        var u = Tensor(uninitialized: [plan.points * rows * cols])
        let up = u.mutablePointer(), wp = w.pointer
        parallelFor(rows, elementsPerItem: cols * plan.points) { o in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: plan.points * 8) { scratch in
                let sp = scratch.baseAddress!
                for first in stride(from: 0, to: cols, by: 8) {
                    let lanes = min(8, cols - first)
                    // Kernel q of lane l at sp[(r·α + s)·8 + l]; a flipped kernel (an input gradient's) is read rotated 180°.
                    for l in 0..<8 {
                        let i = first + min(l, lanes - 1)
                        let source = flipped ? wp + (i * rows + o) * 9 : wp + (o * cols + i) * 9
                        for q in 0..<9 { sp[((q / 3) * a + q % 3) * 8 + l] = flipped ? source[8 - q] : source[q] }
                    }
                    // G along each of the 3 columns, then along each of the α rows.
                    for s in 0..<3 { tile.filter(sp + s * 8, a * 8) }
                    for r in 0..<a { tile.filter(sp + r * a * 8, 8) }
                    for xi in 0..<plan.points {
                        let dst = up + (xi * rows + o) * cols + first
                        if lanes == 8 { store8(dst, 0, load8(sp, xi * 8)) } else { for l in 0..<lanes { dst[l] = sp[xi * 8 + l] } }
                    }
                }
            }
        }
        return u
    }

    /// V[c][ξ][t − tiles.lowerBound] = (Bᵀ·d·B)[ξ] for the tiles t and channels c, d the α×α input patch under
    /// the tile (zero outside the image). Rows are `rowLength` (a multiple of 8) apart; eight tiles at a time,
    /// one per lane, and lanes past the chunk's end hold zeros.
    func winogradInput(_ xp: UnsafePointer<Float>, _ plan: WinogradPlan, _ tiles: Range<Int>,
                       into vp: UnsafeMutablePointer<Float>, rowLength: Int) {
        let g = plan.g, a = plan.alpha
        forEachTileGroup(g.channels, plan, tiles) { c, group, sp in
            gatherPatches(xp, plan, channel: c, group, into: sp)
            for r in 0..<a { plan.tile.input(sp + r * a * 8, 8) }
            for s in 0..<a { plan.tile.input(sp + s * 8, a * 8) }
            let dst = vp + c * plan.points * rowLength + (group.lowerBound - tiles.lowerBound)
            for xi in 0..<plan.points { store8(dst, xi * rowLength, load8(sp, xi * 8)) }
        }
    }

    /// Calls `body(channel, group, scratch)` for every channel below `count` (spread over the threads, each with
    /// its own scratch of α²·8 floats) and every group of (at most) eight consecutive tiles of `tiles`.
    @inline(__always)
    func forEachTileGroup(_ count: Int, _ plan: WinogradPlan, _ tiles: Range<Int>,
                          _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        parallelChunks(count, minimumPerChunk: max(1, Self.kernelChunk / max(1, tiles.count * plan.points))) { channels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: plan.points * 8) { scratch in
                for c in channels {
                    for first in stride(from: tiles.lowerBound, to: tiles.upperBound, by: 8) {
                        body(c, first..<min(first + 8, tiles.upperBound), scratch.baseAddress!)
                    }
                }
            }
        }
    }

    /// sp[(r·α + s)·8 + lane] = the input pixel at row r, column s of the patch of tile tiles[lane] in channel c.
    @inline(__always)
    private func gatherPatches(_ xp: UnsafePointer<Float>, _ plan: WinogradPlan, channel c: Int, _ tiles: Range<Int>,
                               into sp: UnsafeMutablePointer<Float>) {
        let g = plan.g, a = plan.alpha, m = plan.tile.m, perImage = plan.tilesH * plan.tilesW
        if tiles.count < 8 { sp.update(repeating: 0, count: plan.points * 8) }
        for (lane, t) in tiles.enumerated() {
            let n = t / perImage, th = (t % perImage) / plan.tilesW, tw = t % plan.tilesW
            let plane = xp + g.inputPlane(n, c) * g.height * g.width
            let top = th * m - g.padH, left = tw * m - g.padW
            let inside = left >= 0 && left + a <= g.width
            for r in 0..<a {
                let ih = top + r, dst = sp + r * a * 8 + lane
                if ih < 0 || ih >= g.height {
                    for s in 0..<a { dst[s * 8] = 0 }
                } else if inside {
                    let row = plane + ih * g.width + left
                    for s in 0..<a { dst[s * 8] = row[s] }
                } else {
                    let row = plane + ih * g.width
                    for s in 0..<a { let iw = left + s; dst[s * 8] = iw >= 0 && iw < g.width ? row[iw] : 0 }
                }
            }
        }
    }

    /// y ← epilogue(Aᵀ·M·A) for the tiles and every output channel, dropping what falls past the output's edge.
    private func winogradOutput(_ mp: UnsafePointer<Float>, _ plan: WinogradPlan, _ tiles: Range<Int>, rowLength: Int,
                                _ e: ConvEpilogue, into yp: UnsafeMutablePointer<Float>) {
        let g = plan.g, a = plan.alpha
        forEachTileGroup(g.outChannels, plan, tiles) { oc, group, sp in
            let src = mp + oc * plan.points * rowLength + (group.lowerBound - tiles.lowerBound)
            for xi in 0..<plan.points { store8(sp, xi * 8, load8(src, xi * rowLength)) }
            for r in 0..<a { plan.tile.output(sp + r * a * 8, 8) }
            for s in 0..<plan.tile.m { plan.tile.output(sp + s * 8, a * 8) }
            scatterTiles(sp, plan, channel: oc, group, e, into: yp)
        }
    }

    /// Writes the m×m results sp[(r·α + s)·8 + lane] of tile tiles[lane] into output channel oc, through the
    /// epilogue: the residual added lane by lane, the bias and activation on all eight lanes at once, then plain
    /// copies (no per-value branches in the scatter).
    @inline(__always)
    private func scatterTiles(_ sp: UnsafeMutablePointer<Float>, _ plan: WinogradPlan, channel oc: Int, _ tiles: Range<Int>,
                              _ e: ConvEpilogue, into yp: UnsafeMutablePointer<Float>) {
        let g = plan.g, a = plan.alpha, m = plan.tile.m
        if let residual = e.residual {
            forEachOutputTile(plan, channel: oc, tiles) { lane, offset, rows, cols in
                for r in 0..<rows { for s in 0..<cols { sp[(r * a + s) * 8 + lane] += residual[offset + r * g.outW + s] } }
            }
        }
        if e.bias != nil || e.slope != nil {
            let bias = SIMD8(repeating: e.bias?[oc] ?? 0)
            for r in 0..<m {
                for s in 0..<m {
                    let v = load8(sp, (r * a + s) * 8) + bias
                    store8(sp, (r * a + s) * 8, e.slope.map { leakyReLU8(v, slope: $0) } ?? v)
                }
            }
        }
        // Eight whole tiles (all but a map's edge tiles when its side is no multiple of m): row by row for all lanes at once.
        var offsets = SIMD8<Int>(), whole = tiles.count == 8
        forEachOutputTile(plan, channel: oc, tiles) { lane, offset, rows, cols in
            offsets[lane] = offset
            whole = whole && rows == m && cols == m
        }
        if whole {
            for r in 0..<m { plan.tile.storeRows(sp + r * a * 8, yp + r * g.outW, offsets) }
            return
        }
        forEachOutputTile(plan, channel: oc, tiles) { lane, offset, rows, cols in
            for r in 0..<rows {
                let out = yp + offset + r * g.outW, source = sp + r * a * 8 + lane
                // A whole tile row in one store: y is rarely in cache, and each store that misses holds a slot.
                if cols == m { plan.tile.storeRow(source, out) } else { for s in 0..<cols { out[s] = source[s * 8] } }
            }
        }
    }

    /// Calls `body(lane, offset, rows, cols)` for each tile tiles[lane]: where its top left output value lies in y
    /// (channel oc), and how many of its rows and columns lie inside the output.
    @inline(__always)
    func forEachOutputTile(_ plan: WinogradPlan, channel oc: Int, _ tiles: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        let g = plan.g, m = plan.tile.m, perImage = plan.tilesH * plan.tilesW
        var n = tiles.lowerBound / perImage, th = (tiles.lowerBound % perImage) / plan.tilesW, tw = tiles.lowerBound % plan.tilesW
        for lane in 0..<tiles.count {
            let top = th * m, left = tw * m
            body(lane, g.outputPlane(n, oc) * g.outH * g.outW + top * g.outW + left, min(m, g.outH - top), min(m, g.outW - left))
            tw += 1
            if tw == plan.tilesW { tw = 0; th += 1; if th == plan.tilesH { th = 0; n += 1 } }
        }
    }
}
