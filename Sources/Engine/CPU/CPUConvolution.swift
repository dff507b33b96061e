/// Convolution on the CPU: unfold the input into a column matrix (im2col), one sgemm, and the
/// adjoint fold (col2im) for the input gradient. In CNHW layout the sgemm reads and writes the
/// activations as they are; in NCHW the output is reordered once per pass. The backward pass unfolds
/// the input again rather than keeping the column matrix from the forward pass: that costs one cheap
/// memory pass, while keeping it would hold C·KH·KW floats per output pixel for every layer until
/// the backward pass reaches it (gigabytes for ResNet-18 at 224×224).
extension CPUBackend {
    /// Floats of column matrix unfolded at a time: convolutions go through the batch in chunks of
    /// images whose columns fit, so a 224×224 layer needs 2 MB instead of half a gigabyte, and the
    /// columns are still in cache when the sgemm reads them (larger chunks cost time in im2col's stores and
    /// the sgemm's packing reads).
    static let columnBudget = 1 << 19
    /// ... but a chunk holds at least this many output positions, so that deep layers with many column
    /// rows and few pixels (ResNet-18's last stage at 64×64: 4608 rows × 4 pixels per image) still give
    /// the sgemm a long dimension to run along.
    static let minimumChunkColumns = 2048
    /// ... and never more than 16 MB of columns: 2048 positions of ResNet-18's last stage at 224×224
    /// (4608 rows × 49 pixels per image) would be 38 MB, and in training all of it sits at the peak.
    static let columnLimit = 1 << 22

    /// Images unfolded at a time for g: the column budget, the minimum and the limit above.
    static func chunkImages(_ g: ConvGeometry) -> Int {
        let images = g.imagesPerChunk(columnBudget: columnBudget, minimumColumns: minimumChunkColumns)
        return g.isPointwise ? images : min(images, max(1, columnLimit / max(1, g.columnRows * g.outH * g.outW)))
    }

    func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        convolve(x, weight, bias, g, slope: nil, residual: nil)
    }

    func conv2d(_ x: Tensor, _ weight: Tensor, bias: Tensor, _ g: ConvGeometry, activation: Activation, residual: Tensor?) -> Tensor {
        convolve(x, weight, bias, g, slope: activation.slope, residual: residual)
    }

    /// The convolution, plus the bias, the residual (in the output's layout) and a (leaky) ReLU of negative
    /// slope `slope` when given. In CNHW they are applied to each chunk's output right after its GEMM,
    /// while it is still in cache.
    private func convolve(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry, slope: Float?, residual: Tensor?) -> Tensor {
        // Without a graph (evaluation) the same weights come back call after call; in training they change at
        // every step, and kept transforms would only hold memory through the backward pass.
        let keep = !GradMode.isEnabled
        if let plan = keep ? WinogradPlan(evaluating: g) : WinogradPlan(g) {
            return winogradConvolution(x, weight, plan, keepWeights: keep,
                                       ConvEpilogue(bias: bias, residual: residual, slope: slope))
        }
        // Product in [OC, N·OH·OW] = CNHW: the output itself in that layout.
        var product = Tensor(uninitialized: [g.outChannels, g.columnCount])
        let pp = product.mutablePointer(), outArea = g.outH * g.outW
        let epilogue = g.layout == .cnhw && (bias != nil || slope != nil || residual != nil), rp = residual?.pointer
        let widest = (g.isPointwise ? g.batch : min(g.batch, Self.chunkImages(g))) * outArea
        let packed = keep && PackedGEMM.pays(n: widest, k: g.columnRows) ? packedWeights(weight, g) : nil
        // Few columns (one image's last stage) go to the narrow product, which reads each weight once.
        let narrow = keep && NarrowGEMM.pays(n: widest) ? narrowWeights(weight, g) : nil
        forEachChunk(x, g) { images, columns in
            let first = pp + images.lowerBound * outArea, width = images.count * outArea
            // In CNHW the epilogue runs in the product's own stores.
            let fused = epilogue ? ConvEpilogue(bias: bias, residual: residual, slope: slope).offset(by: images.lowerBound * outArea) : nil
            if let packed {
                return PackedGEMM.multiply(packed.pointer, m: g.outChannels, n: width, k: g.columnRows, b: columns, ldb: width,
                                           c: first, ldc: g.columnCount, fused, split: true)
            }
            if let narrow {
                return NarrowGEMM.multiply(narrow.pointer, m: g.outChannels, n: width, k: g.columnRows, b: columns, ldb: width,
                                           c: first, ldc: g.columnCount, fused, split: true)
            }
            gemm(m: g.outChannels, n: width, k: g.columnRows, a: weight.pointer, b: columns, c: first, ldc: g.columnCount)
            guard epilogue else { return }
            parallelFor(g.outChannels, elementsPerItem: width) { oc in
                let offset = oc * g.columnCount + images.lowerBound * outArea
                biasAndActivation(pp + offset, width, bias: bias.map { $0.pointer[oc] } ?? 0, residual: rp.map { $0 + offset }, slope: slope)
            }
        }
        if g.layout == .cnhw { return try! product.reshaped(g.outputShape) }
        var y = Tensor(uninitialized: g.outputShape)
        let yp = y.mutablePointer(), bp = bias?.pointer
        parallelFor(g.batch * g.outChannels, elementsPerItem: outArea) { block in
            let n = block / g.outChannels, oc = block % g.outChannels
            let dst = yp + block * outArea
            dst.update(from: pp + oc * g.columnCount + n * outArea, count: outArea)
            if bp != nil || slope != nil || rp != nil {
                biasAndActivation(dst, outArea, bias: bp?[oc] ?? 0, residual: rp.map { $0 + block * outArea }, slope: slope)
            }
        }
        return y
    }

    /// The weights [OC, C·KH·KW] packed for `PackedGEMM`, kept with their storage.
    private func packedWeights(_ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        PackedGEMM.weights(weight, kind: "packed gemm", m: g.outChannels, k: g.columnRows, lda: g.columnRows) { _ in UnsafePointer(weight.pointer) }
    }

    /// The weights [OC, C·KH·KW] packed for `NarrowGEMM`, kept with their storage.
    private func narrowWeights(_ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        NarrowGEMM.weights(weight, kind: "narrow gemm", m: g.outChannels, k: g.columnRows, lda: g.columnRows)
    }

    func conv2dBackward(_ dy: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        wants: (input: Bool, weight: Bool, bias: Bool)) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        // A 3×3 stride-1 input gradient is itself such a convolution, of dy (WinogradPlan(inputGradientOf:)).
        let dx = (wants.input ? WinogradPlan(inputGradientOf: g) : nil).map {
            winogradConvolution(dy, weight, $0, flipped: true, ConvEpilogue(bias: nil, residual: nil, slope: nil))
        }
        // So is the weight gradient, through the forward pass's tiles (CPUWinogradWeightGradient.swift).
        let dw = (wants.weight ? WinogradPlan(weightGradientOf: g) : nil).map { winogradWeightGradient(dy, x: x, $0) }
        let rest = (input: wants.input && dx == nil, weight: wants.weight && dw == nil)
        guard rest.input || rest.weight || wants.bias else { return (dx, dw, nil) }
        let dyColumns = g.layout == .cnhw ? dy : swapFirstTwoAxes(dy)
        let (dxColumns, dwColumns) = im2colBackward(dyColumns, x: x, weight: weight, g, wants: rest)
        return (dx ?? dxColumns, dw ?? dwColumns, wants.bias ? biasGradient(dyColumns, g) : nil)
    }

    /// The input and weight gradients through the column matrices, given dy in CNHW.
    private func im2colBackward(_ dyColumns: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                                wants: (input: Bool, weight: Bool)) -> (input: Tensor?, weight: Tensor?) {
        let dcp = dyColumns.pointer, outArea = g.outH * g.outW
        var dw = wants.weight ? Tensor(uninitialized: weight.shape) : nil
        var dx = wants.input ? Tensor(uninitialized: g.inputShape) : nil
        let dwp = dw?.mutablePointer(), dxp = dx?.mutablePointer()
        var dcols = wants.input && !g.isPointwise ? Tensor(uninitialized: [g.columnRows * Self.chunkImages(g) * outArea]) : nil
        let dcolsp = dcols?.mutablePointer()
        if wants.weight || wants.input {
            forEachChunk(x, g) { images, columns in
                let width = images.count * outArea, dyChunk = dcp + images.lowerBound * outArea
                if let dwp {
                    gemm(transB: true, m: g.outChannels, n: g.columnRows, k: width, a: dyChunk, lda: g.columnCount,
                         b: columns, beta: images.lowerBound == 0 ? 0 : 1, c: dwp)
                }
                guard let dxp else { return }
                // A pointwise convolution's column gradient is the input gradient itself.
                gemm(transA: true, m: g.columnRows, n: width, k: g.outChannels, a: weight.pointer, b: dyChunk, ldb: g.columnCount,
                     c: dcolsp ?? dxp)
                if let dcolsp { col2im(dcolsp, g, images: images, into: dxp) }
            }
        }
        return (dx, dw)
    }

    /// The bias gradient: the sum of dy (CNHW) over each output channel.
    private func biasGradient(_ dyColumns: Tensor, _ g: ConvGeometry) -> Tensor {
        let dcp = dyColumns.pointer
        var t = Tensor(uninitialized: [g.outChannels])
        let tp = t.mutablePointer()
        parallelFor(g.outChannels, elementsPerItem: g.columnCount) { oc in
            let row = dcp + oc * g.columnCount
            var sum: Float = 0
            for i in 0..<g.columnCount { sum += row[i] }
            tp[oc] = sum
        }
        return t
    }

    /// Calls `body(images, columns)` for consecutive chunks of the batch, with the chunk's column
    /// matrix [C·KH·KW, images·OH·OW] (for a pointwise convolution, x itself, the whole batch at once).
    private func forEachChunk(_ x: Tensor, _ g: ConvGeometry, _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        if g.isPointwise { return body(0..<g.batch, x.pointer) }
        let perChunk = Self.chunkImages(g)
        var columns = Tensor(uninitialized: [g.columnRows * perChunk * g.outH * g.outW])
        let cp = columns.mutablePointer()
        for start in stride(from: 0, to: g.batch, by: perChunk) {
            let images = start..<min(g.batch, start + perChunk)
            im2col(x.pointer, g, images: images, into: cp)
            body(images, cp)
        }
    }

    /// Unfolds the chunk `images` of x into cols [C·KH·KW, images·OH·OW] so that a convolution is one GEMM.
    /// Row r = (c·KH + ki)·KW + kj holds, for every output position (n, oh, ow), the input pixel under
    /// kernel tap (ki, kj), zero in the padding.
    private func im2col(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>, into cp: UnsafeMutablePointer<Float>) {
        let outArea = g.outH * g.outW, width = images.count * outArea
        // A row's call costs about 16 floats' copying besides its own: deep layers' rows at batch 1 hold 4 to 16.
        parallelFor(g.columnRows, elementsPerItem: width + 16, perChunk: Self.kernelChunk) { r in
            let c = r / g.kernelArea, ki = (r / g.kernelW) % g.kernelH, kj = r % g.kernelW
            if g.keepsSizeWithStrideOne && g.layout == .cnhw {
                let chunk = xp + g.inputPlane(images.lowerBound, c) * outArea
                return unfoldShifted(chunk, images.count, g, ki, kj, into: cp + r * width)
            }
            for n in images {
                let plane = xp + g.inputPlane(n, c) * g.height * g.width
                unfoldPlane(plane, g, ki, kj, into: cp + r * width + (n - images.lowerBound) * outArea)
            }
        }
    }

    /// Folds the column gradients of the chunk `images` back onto their planes of dx (the adjoint of
    /// im2col), adding overlapping taps. Parallel over input channels: each writes only its own planes.
    private func col2im(_ cp: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>, into dxp: UnsafeMutablePointer<Float>) {
        let outArea = g.outH * g.outW, inArea = g.height * g.width, width = images.count * outArea
        parallelFor(g.channels, elementsPerItem: g.kernelArea * width) { c in
            for n in images { (dxp + g.inputPlane(n, c) * inArea).update(repeating: 0, count: inArea) }
            for ki in 0..<g.kernelH {
                for kj in 0..<g.kernelW {
                    let r = (c * g.kernelH + ki) * g.kernelW + kj
                    let (owLo, owHi) = g.validColumns(kj)
                    for n in images {
                        let plane = dxp + g.inputPlane(n, c) * inArea
                        var src = cp + r * width + (n - images.lowerBound) * outArea
                        for oh in 0..<g.outH {
                            let ih = oh * g.strideH - g.padH + ki
                            if ih >= 0 && ih < g.height {
                                let row = plane + ih * g.width - g.padW + kj
                                if g.strideW == 1 {
                                    for ow in owLo..<owHi { row[ow] += src[ow] }
                                } else {
                                    for ow in owLo..<owHi { row[ow * g.strideW] += src[ow] }
                                }
                            }
                            src += g.outW
                        }
                    }
                }
            }
        }
    }
}

/// p[i] = f(p[i] + bias + r[i]) for i < n, f a (leaky) ReLU of negative slope `slope`, or the identity when nil.
private func biasAndActivation(_ p: UnsafeMutablePointer<Float>, _ n: Int, bias: Float, residual r: UnsafePointer<Float>?, slope: Float?) {
    let b8 = SIMD8(repeating: bias)
    var i = 0
    if let r {
        // The residual once per element; then the activation in place (cache-hot).
        while i + 8 <= n { store8(p, i, load8(p, i) + load8(r, i)); i += 8 }
        while i < n { p[i] += r[i]; i += 1 }
        i = 0
    }
    if let slope {
        while i + 8 <= n { store8(p, i, leakyReLU8(load8(p, i) + b8, slope: slope)); i += 8 }
        while i < n { let v = p[i] + bias; p[i] = max(v, 0) + slope * min(v, 0); i += 1 }
    } else {
        while i + 8 <= n { store8(p, i, load8(p, i) + b8); i += 8 }
        while i < n { p[i] += bias; i += 1 }
    }
}

// The unfolding of one kernel tap (ki, kj). The planes of ResNet-18 at 64×64 are 2 to 16 pixels wide, so
// these work in blocks rather than a copy call per output row, whose overhead would be most of im2col's time.

/// Tap (ki, kj) of one input plane into its outH·outW block of column row: the input pixel under the tap
/// at each output position, zero in the padding.
private func unfoldPlane(_ plane: UnsafePointer<Float>, _ g: ConvGeometry, _ ki: Int, _ kj: Int,
                         into dst: UnsafeMutablePointer<Float>) {
    let (owLo, owHi) = g.validColumns(kj), (ohLo, ohHi) = g.validRows(ki)
    dst.update(repeating: 0, count: ohLo * g.outW)
    for oh in ohLo..<ohHi {
        let row = plane + (oh * g.strideH - g.padH + ki) * g.width - g.padW + kj, out = dst + oh * g.outW
        for ow in 0..<owLo { out[ow] = 0 }
        if g.strideW == 1 {
            for ow in owLo..<owHi { out[ow] = row[ow] }
        } else {
            for ow in owLo..<owHi { out[ow] = row[ow * g.strideW] }
        }
        for ow in owHi..<g.outW { out[ow] = 0 }
    }
    (dst + ohHi * g.outW).update(repeating: 0, count: (g.outH - ohHi) * g.outW)
}

/// Tap (ki, kj) of `count` consecutive planes of the same size as the output (stride 1, CNHW), whose
/// column row is then the planes shifted by the tap's offset: one copy for the whole chunk, then the
/// positions whose pixel lies in the padding (a row or column at the planes' edges) set to zero.
private func unfoldShifted(_ planes: UnsafePointer<Float>, _ count: Int, _ g: ConvGeometry, _ ki: Int, _ kj: Int,
                           into dst: UnsafeMutablePointer<Float>) {
    let (owLo, owHi) = g.validColumns(kj), (ohLo, ohHi) = g.validRows(ki), area = g.outH * g.outW
    guard owLo < owHi, ohLo < ohHi else { return dst.update(repeating: 0, count: count * area) }
    let offset = (ki - g.padH) * g.width + kj - g.padW
    // From the first image's first valid position to the last image's last one: every pixel read is inside x.
    let first = ohLo * g.outW + owLo, end = (count - 1) * area + (ohHi - 1) * g.outW + owHi
    // Not `update(from:)`: glibc copies blocks over a few KB with `rep movsb`, which on some processors runs at
    // half the speed of vector moves when source and destination are a few floats out of alignment.
    let source = planes + offset
    var i = first
    while i + 8 <= end { store8(dst, i, load8(source, i)); i += 8 }
    while i < end { dst[i] = source[i]; i += 1 }
    for n in 0..<count {
        let image = dst + n * area
        image.update(repeating: 0, count: ohLo * g.outW)
        for oh in ohLo..<ohHi {
            let out = image + oh * g.outW
            for ow in 0..<owLo { out[ow] = 0 }
            for ow in owHi..<g.outW { out[ow] = 0 }
        }
        (image + ohHi * g.outW).update(repeating: 0, count: (g.outH - ohHi) * g.outW)
    }
}
