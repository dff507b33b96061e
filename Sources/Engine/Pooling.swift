/// The window geometry of a 2-D pooling, with PyTorch's output-size rule (including ceil mode).
struct PoolGeometry {
    let batch, channels, height, width: Int
    let kernelH, kernelW, strideH, strideW, padH, padW: Int
    let outH, outW: Int

    init(op: String, input shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool) throws {
        guard shape.count == 4 else { throw EngineError.invalid(op, "input must be [N, C, H, W], got \(describe(shape))") }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw EngineError.invalid(op, "kernel and stride must be positive, got kernel \(kernel), stride \(stride)")
        }
        guard padding.0 >= 0, padding.1 >= 0, 2 * padding.0 <= kernel.0, 2 * padding.1 <= kernel.1 else {
            throw EngineError.invalid(op, "padding must be between 0 and half the kernel, got padding \(padding), kernel \(kernel)")
        }
        func outSize(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            let span = size + 2 * p - k
            if span < 0 { return 0 }
            var out = (ceilMode ? (span + s - 1) / s : span / s) + 1
            // PyTorch: the last window must start inside the input or its left padding.
            if ceilMode && (out - 1) * s >= size + p { out -= 1 }
            return out
        }
        (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        (kernelH, kernelW, strideH, strideW, padH, padW) = (kernel.0, kernel.1, stride.0, stride.1, padding.0, padding.1)
        outH = outSize(height, kernelH, strideH, padH)
        outW = outSize(width, kernelW, strideW, padW)
        guard outH > 0, outW > 0 else {
            throw EngineError.invalid(op, "kernel \(kernel) is larger than the padded input \(describe(shape))")
        }
    }

    var planes: Int { batch * channels }
}

/// Max pooling (PyTorch's F.max_pool2d) of x [N, C, H, W]; padding counts as −∞.
public func maxPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) throws -> Variable {
    let s = stride ?? kernel
    let g = try PoolGeometry(op: "max pool", input: x.shape, kernel: (kernel, kernel), stride: (s, s),
                             padding: (padding, padding), ceilMode: ceilMode)
    let inArea = g.height * g.width, outArea = g.outH * g.outW
    var y = Tensor(uninitialized: [g.batch, g.channels, g.outH, g.outW])
    // Index of the winning input pixel within its plane, for the backward pass.
    let winners = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, g.planes * outArea))
    let argmax = PoolIndices(pointer: winners)
    let xp = x.value.pointer, yp = y.mutablePointer()
    // The common 2×2, stride 2 window without padding: four loads per output, no bounds arithmetic.
    let simple = kernel == 2 && s == 2 && padding == 0 && g.outH * 2 <= g.height && g.outW * 2 <= g.width
    parallelFor(g.planes) { plane in
        let src = xp + plane * inArea, dst = yp + plane * outArea, win = winners + plane * outArea
        if simple {
            for oh in 0..<g.outH {
                let top = 2 * oh * g.width, bottom = top + g.width
                for ow in 0..<g.outW {
                    let a = top + 2 * ow, b = a + 1, c = bottom + 2 * ow, d = c + 1
                    var index = a, best = src[a]
                    if !(src[b] <= best) { best = src[b]; index = b }
                    if !(src[c] <= best) { best = src[c]; index = c }
                    if !(src[d] <= best) { best = src[d]; index = d }
                    dst[oh * g.outW + ow] = best
                    win[oh * g.outW + ow] = Int32(index)
                }
            }
            return
        }
        for oh in 0..<g.outH {
            let h0 = max(0, oh * g.strideH - g.padH), h1 = min(g.height, oh * g.strideH - g.padH + g.kernelH)
            for ow in 0..<g.outW {
                let w0 = max(0, ow * g.strideW - g.padW), w1 = min(g.width, ow * g.strideW - g.padW + g.kernelW)
                var best = -Float.infinity, bestIndex = h0 * g.width + w0
                for ih in h0..<h1 {
                    let row = ih * g.width
                    for iw in w0..<w1 where !(src[row + iw] <= best) {  // also takes NaN, as PyTorch
                        best = src[row + iw]
                        bestIndex = row + iw
                    }
                }
                dst[oh * g.outW + ow] = best
                win[oh * g.outW + ow] = Int32(bestIndex)
            }
        }
    }
    return Variable.result(y, parents: [x]) { dy in
        var dx = Tensor(zeros: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer, win = argmax.pointer
        parallelFor(g.planes) { plane in
            let dst = dxp + plane * inArea, src = dyp + plane * outArea, w = win + plane * outArea
            for i in 0..<outArea { dst[Int(w[i])] += src[i] }
        }
        x.accumulate(dx)
    }
}

/// Owns the argmax indices of a max pooling until its backward closure is released.
private final class PoolIndices {
    let pointer: UnsafeMutablePointer<Int32>
    init(pointer: UnsafeMutablePointer<Int32>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}

/// Average pooling (PyTorch's F.avg_pool2d) of x [N, C, H, W]. With `countIncludePad` the divisor
/// counts padded positions (PyTorch's default); without it, only the input pixels in the window.
public func avgPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Variable {
    let s = stride ?? kernel
    let g = try PoolGeometry(op: "average pool", input: x.shape, kernel: (kernel, kernel), stride: (s, s),
                             padding: (padding, padding), ceilMode: ceilMode)
    let inArea = g.height * g.width, outArea = g.outH * g.outW
    // Window bounds and divisor, as PyTorch's CPU kernel computes them.
    func window(_ oh: Int, _ ow: Int) -> (h0: Int, h1: Int, w0: Int, w1: Int, divisor: Float) {
        var h0 = oh * g.strideH - g.padH, w0 = ow * g.strideW - g.padW
        var h1 = min(h0 + g.kernelH, g.height + g.padH), w1 = min(w0 + g.kernelW, g.width + g.padW)
        let padded = (h1 - h0) * (w1 - w0)
        h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, g.height); w1 = min(w1, g.width)
        return (h0, h1, w0, w1, Float(countIncludePad ? padded : (h1 - h0) * (w1 - w0)))
    }
    var y = Tensor(uninitialized: [g.batch, g.channels, g.outH, g.outW])
    let xp = x.value.pointer, yp = y.mutablePointer()
    parallelFor(g.planes) { plane in
        let src = xp + plane * inArea, dst = yp + plane * outArea
        for oh in 0..<g.outH {
            for ow in 0..<g.outW {
                let w = window(oh, ow)
                var sum: Float = 0
                for ih in w.h0..<w.h1 { for iw in w.w0..<w.w1 { sum += src[ih * g.width + iw] } }
                dst[oh * g.outW + ow] = sum / w.divisor
            }
        }
    }
    return Variable.result(y, parents: [x]) { dy in
        var dx = Tensor(zeros: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer
        parallelFor(g.planes) { plane in
            let dst = dxp + plane * inArea, src = dyp + plane * outArea
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let w = window(oh, ow)
                    let share = src[oh * g.outW + ow] / w.divisor
                    for ih in w.h0..<w.h1 { for iw in w.w0..<w.w1 { dst[ih * g.width + iw] += share } }
                }
            }
        }
        x.accumulate(dx)
    }
}

/// Mean over the spatial dimensions: [N, C, H, W] → [N, C] (adaptive average pool to 1×1, flattened).
public func globalAvgPool(_ x: Variable) throws -> Variable {
    guard x.shape.count == 4 else { throw EngineError.invalid("global average pool", "input must be [N, C, H, W], got \(describe(x.shape))") }
    let planes = x.shape[0] * x.shape[1], area = x.shape[2] * x.shape[3]
    var y = Tensor(uninitialized: [x.shape[0], x.shape[1]])
    let xp = x.value.pointer, yp = y.mutablePointer()
    let inverse = 1 / Float(area)
    parallelFor(planes, minimumPerChunk: 64) { plane in
        var sum: Float = 0
        let src = xp + plane * area
        for i in 0..<area { sum += src[i] }
        yp[plane] = sum * inverse
    }
    return Variable.result(y, parents: [x]) { dy in
        var dx = Tensor(uninitialized: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer
        parallelFor(planes, minimumPerChunk: 64) { plane in
            let g = dyp[plane] * inverse
            let dst = dxp + plane * area
            for i in 0..<area { dst[i] = g }
        }
        x.accumulate(dx)
    }
}
