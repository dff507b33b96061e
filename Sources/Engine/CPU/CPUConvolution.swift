/// Convolution on the CPU: unfold the input into a column matrix (im2col), one sgemm, and the
/// adjoint fold (col2im) for the input gradient. In CNHW layout the sgemm reads and writes the
/// activations as they are; in NCHW the output is reordered once per pass. The backward pass unfolds
/// the input again rather than keeping the column matrix from the forward pass: that costs one cheap
/// memory pass, while keeping it would hold C·KH·KW floats per output pixel for every layer until
/// the backward pass reaches it (gigabytes for ResNet-18 at 224×224).
extension CPUBackend {
    func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let columns = g.isPointwise ? x : im2col(x, g)
        // Product in [OC, N·OH·OW] = CNHW: the output itself in that layout.
        var product = Tensor(uninitialized: [g.outChannels, g.columnCount])
        gemm(m: g.outChannels, n: g.columnCount, k: g.columnRows, a: weight.pointer, b: columns.pointer, c: product.mutablePointer())
        let outArea = g.outH * g.outW
        if g.layout == .cnhw {
            if let bias {
                let pp = product.mutablePointer(), bp = bias.pointer
                parallelFor(g.outChannels) { oc in
                    let row = pp + oc * g.columnCount, b = bp[oc]
                    for i in 0..<g.columnCount { row[i] += b }
                }
            }
            return try! product.reshaped(g.outputShape)
        }
        var y = Tensor(uninitialized: g.outputShape)
        let yp = y.mutablePointer(), pp = product.pointer, bp = bias?.pointer
        parallelFor(g.batch * g.outChannels) { block in
            let n = block / g.outChannels, oc = block % g.outChannels
            let dst = yp + block * outArea, src = pp + oc * g.columnCount + n * outArea
            let b = bp?[oc] ?? 0
            for i in 0..<outArea { dst[i] = src[i] + b }
        }
        return y
    }

    func conv2dBackward(_ dy: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        wants: (input: Bool, weight: Bool, bias: Bool)) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let dyColumns = g.layout == .cnhw ? dy : swapFirstTwoAxes(dy)
        let dcp = dyColumns.pointer
        var dw: Tensor?, db: Tensor?, dx: Tensor?
        if wants.weight {
            let columns = g.isPointwise ? x : im2col(x, g)
            var t = Tensor(uninitialized: weight.shape)
            gemm(transB: true, m: g.outChannels, n: g.columnRows, k: g.columnCount, a: dcp, b: columns.pointer, c: t.mutablePointer())
            dw = t
        }
        if wants.bias {
            var t = Tensor(uninitialized: [g.outChannels])
            let tp = t.mutablePointer()
            parallelFor(g.outChannels) { oc in
                let row = dcp + oc * g.columnCount
                var sum: Float = 0
                for i in 0..<g.columnCount { sum += row[i] }
                tp[oc] = sum
            }
            db = t
        }
        if wants.input {
            var dcols = Tensor(uninitialized: [g.columnRows, g.columnCount])
            gemm(transA: true, m: g.columnRows, n: g.columnCount, k: g.outChannels, a: weight.pointer, b: dcp, c: dcols.mutablePointer())
            dx = g.isPointwise ? try! dcols.reshaped(g.inputShape) : col2im(dcols, g)
        }
        return (dx, dw, db)
    }

    /// Unfolds x into cols [C·KH·KW, N·OH·OW] so that a convolution is one GEMM. Row r = (c·KH + ki)·KW + kj
    /// holds, for every output position (n, oh, ow), the input pixel under kernel tap (ki, kj), zero in the padding.
    private func im2col(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        var cols = Tensor(uninitialized: [g.columnRows, g.columnCount])
        let xp = x.pointer, cp = cols.mutablePointer()
        let outArea = g.outH * g.outW
        parallelFor(g.columnRows) { r in
            let c = r / g.kernelArea, ki = (r / g.kernelW) % g.kernelH, kj = r % g.kernelW
            let (owLo, owHi) = g.validColumns(kj)
            for n in 0..<g.batch {
                let plane = xp + g.inputPlane(n, c) * g.height * g.width
                var dst = cp + r * g.columnCount + n * outArea
                for oh in 0..<g.outH {
                    let ih = oh * g.strideH - g.padH + ki
                    if ih < 0 || ih >= g.height {
                        dst.update(repeating: 0, count: g.outW)
                    } else {
                        let row = plane + ih * g.width - g.padW + kj
                        for ow in 0..<owLo { dst[ow] = 0 }
                        if g.strideW == 1 {
                            (dst + owLo).update(from: row + owLo, count: owHi - owLo)
                        } else {
                            for ow in owLo..<owHi { dst[ow] = row[ow * g.strideW] }
                        }
                        for ow in owHi..<g.outW { dst[ow] = 0 }
                    }
                    dst += g.outW
                }
            }
        }
        return cols
    }

    /// Folds column gradients back onto dx (the adjoint of im2col), adding overlapping taps.
    /// Parallel over input channels: each channel's rows write only that channel's planes.
    private func col2im(_ cols: Tensor, _ g: ConvGeometry) -> Tensor {
        var dx = Tensor(uninitialized: g.inputShape)
        let cp = cols.pointer, dxp = dx.mutablePointer()
        let outArea = g.outH * g.outW, inArea = g.height * g.width
        parallelFor(g.channels) { c in
            for n in 0..<g.batch { (dxp + g.inputPlane(n, c) * inArea).update(repeating: 0, count: inArea) }
            for ki in 0..<g.kernelH {
                for kj in 0..<g.kernelW {
                    let r = (c * g.kernelH + ki) * g.kernelW + kj
                    let (owLo, owHi) = g.validColumns(kj)
                    for n in 0..<g.batch {
                        let plane = dxp + g.inputPlane(n, c) * inArea
                        var src = cp + r * g.columnCount + n * outArea
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
        return dx
    }
}
