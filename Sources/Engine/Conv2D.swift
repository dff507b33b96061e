/// The sizes of one 2-D convolution, derived once and shared by its forward and backward passes.
struct ConvGeometry {
    let batch, channels, height, width: Int
    let outChannels, kernelH, kernelW, strideH, strideW, padH, padW: Int
    let outH, outW: Int

    var kernelArea: Int { kernelH * kernelW }
    /// Rows of the column matrix: one per (input channel, kernel row, kernel column).
    var columnRows: Int { channels * kernelArea }
    /// Columns of the column matrix: one per (image, output row, output column).
    var columnCount: Int { batch * outH * outW }
}

/// Unfolds x [N, C, H, W] into cols [C·KH·KW, N·OH·OW] so that a convolution is one GEMM.
/// Row r = (c·KH + ki)·KW + kj holds, for every output position, the input pixel under kernel tap (ki, kj).
private func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let outArea = g.outH * g.outW
    parallelFor(g.columnRows) { r in
        let c = r / g.kernelArea, ki = (r / g.kernelW) % g.kernelH, kj = r % g.kernelW
        // Output columns whose input column lies inside the image: [owLo, owHi).
        let owLo = min(g.outW, max(0, (g.padW - kj + g.strideW - 1) / g.strideW))
        let owHi = max(owLo, min(g.outW, (g.width + g.padW - kj + g.strideW - 1) / g.strideW))
        for n in 0..<g.batch {
            let plane = x + (n * g.channels + c) * g.height * g.width
            var dst = cols + r * g.columnCount + n * outArea
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
}

/// Folds column gradients back onto dx [N, C, H, W] (the adjoint of im2col), adding overlapping taps.
/// Parallel over input channels: each channel's rows write only that channel's planes.
private func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let outArea = g.outH * g.outW
    parallelFor(g.channels) { c in
        for n in 0..<g.batch {
            (dx + (n * g.channels + c) * g.height * g.width).update(repeating: 0, count: g.height * g.width)
        }
        for ki in 0..<g.kernelH {
            for kj in 0..<g.kernelW {
                let r = (c * g.kernelH + ki) * g.kernelW + kj
                let owLo = min(g.outW, max(0, (g.padW - kj + g.strideW - 1) / g.strideW))
                let owHi = max(owLo, min(g.outW, (g.width + g.padW - kj + g.strideW - 1) / g.strideW))
                for n in 0..<g.batch {
                    let plane = dx + (n * g.channels + c) * g.height * g.width
                    var src = cols + r * g.columnCount + n * outArea
                    for oh in 0..<g.outH {
                        let ih = oh * g.strideH - g.padH + ki
                        if ih >= 0 && ih < g.height {
                            let row = plane + ih * g.width - g.padW + kj
                            for ow in owLo..<owHi { row[ow * g.strideW] += src[ow] }
                        }
                        src += g.outW
                    }
                }
            }
        }
    }
}

/// 2-D convolution (PyTorch's F.conv2d, groups = 1, dilation = 1) of x [N, C, H, W]
/// with weight [OC, C, KH, KW] and an optional bias [OC]; returns [N, OC, OH, OW].
public func conv2d(_ x: Variable, _ weight: Variable, _ bias: Variable? = nil,
                   stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) throws -> Variable {
    let op = "conv2d"
    guard x.shape.count == 4, weight.shape.count == 4 else {
        throw EngineError.shapeMismatch(op, "input must be [N, C, H, W] and weight [OC, C, KH, KW]", x.shape, weight.shape)
    }
    guard weight.shape[1] == x.shape[1] else {
        throw EngineError.shapeMismatch(op, "input channels differ from weight's", x.shape, weight.shape)
    }
    guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0 else {
        throw EngineError.invalid(op, "stride must be positive and padding non-negative, got stride \(stride), padding \(padding)")
    }
    let (kh, kw) = (weight.shape[2], weight.shape[3])
    let (h, w) = (x.shape[2], x.shape[3])
    guard h + 2 * padding.0 >= kh, w + 2 * padding.1 >= kw else {
        throw EngineError.shapeMismatch(op, "kernel larger than the padded input", x.shape, weight.shape)
    }
    if let bias, bias.shape != [weight.shape[0]] {
        throw EngineError.shapeMismatch(op, "bias must be [OC]", bias.shape, [weight.shape[0]])
    }
    let g = ConvGeometry(batch: x.shape[0], channels: x.shape[1], height: h, width: w,
                         outChannels: weight.shape[0], kernelH: kh, kernelW: kw,
                         strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                         outH: (h + 2 * padding.0 - kh) / stride.0 + 1,
                         outW: (w + 2 * padding.1 - kw) / stride.1 + 1)
    let outArea = g.outH * g.outW

    var cols = Tensor(uninitialized: [g.columnRows, g.columnCount])
    im2col(x.value.pointer, cols.mutablePointer(), g)
    // GEMM result in [OC, N·OH·OW]; then each (n, oc) block moves to NCHW.
    var product = Tensor(uninitialized: [g.outChannels, g.columnCount])
    gemm(m: g.outChannels, n: g.columnCount, k: g.columnRows, a: weight.value.pointer, b: cols.pointer, c: product.mutablePointer())
    var y = Tensor(uninitialized: [g.batch, g.outChannels, g.outH, g.outW])
    let yp = y.mutablePointer(), pp = product.pointer, bp = bias?.value.pointer
    parallelFor(g.batch * g.outChannels) { block in
        let n = block / g.outChannels, oc = block % g.outChannels
        let dst = yp + block * outArea, src = pp + oc * g.columnCount + n * outArea
        if let bp {
            let b = bp[oc]
            for i in 0..<outArea { dst[i] = src[i] + b }
        } else {
            dst.update(from: src, count: outArea)
        }
    }

    let parents = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable.result(y, parents: parents) { dy in
        // dy [N, OC, OH, OW] → [OC, N·OH·OW], the GEMM layout.
        var dyColumns = Tensor(uninitialized: [g.outChannels, g.columnCount])
        let dcp = dyColumns.mutablePointer(), dyp = dy.pointer
        parallelFor(g.batch * g.outChannels) { block in
            let n = block / g.outChannels, oc = block % g.outChannels
            (dcp + oc * g.columnCount + n * outArea).update(from: dyp + block * outArea, count: outArea)
        }
        if weight.requiresGrad {
            var dw = Tensor(uninitialized: weight.shape)
            gemm(transB: true, m: g.outChannels, n: g.columnRows, k: g.columnCount, a: dcp, b: cols.pointer, c: dw.mutablePointer())
            weight.accumulate(dw)
        }
        if let bias, bias.requiresGrad {
            var db = Tensor(uninitialized: bias.shape)
            let dbp = db.mutablePointer()
            parallelFor(g.outChannels) { oc in
                let row = dcp + oc * g.columnCount
                var sum: Float = 0
                for i in 0..<g.columnCount { sum += row[i] }
                dbp[oc] = sum
            }
            bias.accumulate(db)
        }
        if x.requiresGrad {
            var dcols = Tensor(uninitialized: [g.columnRows, g.columnCount])
            gemm(transA: true, m: g.columnRows, n: g.columnCount, k: g.outChannels, a: weight.value.pointer, b: dcp, c: dcols.mutablePointer())
            var dx = Tensor(uninitialized: x.shape)
            col2im(dcols.pointer, dx.mutablePointer(), g)
            x.accumulate(dx)
        }
    }
}

/// A 2-D convolution layer (PyTorch's nn.Conv2d, groups = 1), initialised as PyTorch does by default.
public final class Conv2D: Module {
    public let weight: Variable
    public let bias: Variable?
    public let stride: (Int, Int)
    public let padding: (Int, Int)

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, rng: inout RandomGenerator) {
        let fanIn = inChannels * kernel * kernel
        weight = Variable(Initializer.kaimingUniformDefault(shape: [outChannels, inChannels, kernel, kernel], fanIn: fanIn, rng: &rng),
                          requiresGrad: true)
        self.bias = bias ? Variable(Initializer.biasUniform(count: outChannels, fanIn: fanIn, rng: &rng), requiresGrad: true) : nil
        self.bias?.isBiasOrNorm = true
        self.stride = (stride, stride)
        self.padding = (padding, padding)
    }

    public func callAsFunction(_ x: Variable) throws -> Variable {
        try conv2d(x, weight, bias, stride: stride, padding: padding)
    }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        [NamedVariable(name: qualified(prefix, "weight"), variable: weight, isBuffer: false)]
            + (bias.map { [NamedVariable(name: qualified(prefix, "bias"), variable: $0, isBuffer: false)] } ?? [])
    }
}
