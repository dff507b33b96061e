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
    var inputShape: [Int] { [batch, channels, height, width] }
    /// A 2×2, stride-2, unpadded window whose every window lies whole inside the input.
    var isPlain2x2: Bool {
        kernelH == 2 && kernelW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0
            && 2 * outH <= height && 2 * outW <= width
    }
    var outputShape: [Int] { [batch, channels, outH, outW] }

    /// Window bounds and divisor of an average pool, as PyTorch's CPU kernel computes them.
    func averageWindow(_ oh: Int, _ ow: Int, countIncludePad: Bool) -> (h0: Int, h1: Int, w0: Int, w1: Int, divisor: Float) {
        var h0 = oh * strideH - padH, w0 = ow * strideW - padW
        var h1 = min(h0 + kernelH, height + padH), w1 = min(w0 + kernelW, width + padW)
        let padded = (h1 - h0) * (w1 - w0)
        h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, height); w1 = min(w1, width)
        return (h0, h1, w0, w1, Float(countIncludePad ? padded : (h1 - h0) * (w1 - w0)))
    }
}

// Pools work plane by plane, so they take any layout alike (the first two axes only count planes) and keep it.

/// The window geometry over x as it lies in memory; a bad window is reported with x's shape as PyTorch gives it.
private func poolGeometry(_ op: String, _ x: Variable, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                          ceilMode: Bool) throws -> PoolGeometry {
    let g = try PoolGeometry(op: op, input: x.shape, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
    let layout = x.value.layout
    guard layout != .nchw else { return g }
    return try PoolGeometry(op: op, input: layout.inMemoryOrder(x.shape), kernel: kernel, stride: stride, padding: padding,
                            ceilMode: ceilMode)
}

/// Max pooling (PyTorch's F.max_pool2d) of x [N, C, H, W]; padding counts as −∞.
public func maxPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) throws -> Variable {
    let s = stride ?? kernel
    let g = try poolGeometry("max pool", x, kernel: (kernel, kernel), stride: (s, s), padding: (padding, padding), ceilMode: ceilMode)
    let backend = x.value.backend, layout = x.value.layout
    let y = backend.maxPool2d(x.value.memory, g).laidOut(as: layout)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.maxPool2dBackward(dy.memory, x: x.value.memory, g).laidOut(as: layout))
    }
}

/// Average pooling (PyTorch's F.avg_pool2d) of x [N, C, H, W]. With `countIncludePad` the divisor
/// counts padded positions (PyTorch's default); without it, only the input pixels in the window.
public func avgPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Variable {
    let s = stride ?? kernel
    let g = try poolGeometry("average pool", x, kernel: (kernel, kernel), stride: (s, s), padding: (padding, padding),
                             ceilMode: ceilMode)
    let backend = x.value.backend, layout = x.value.layout
    let y = backend.avgPool2d(x.value.memory, g, countIncludePad: countIncludePad).laidOut(as: layout)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.avgPool2dBackward(dy.memory, g, countIncludePad: countIncludePad).laidOut(as: layout))
    }
}

/// Mean over the spatial dimensions: [N, C, H, W] in any layout → [N, C] (adaptive average pool to 1×1, flattened).
public func globalAvgPool(_ x: Variable) throws -> Variable {
    guard x.shape.count == 4 else { throw EngineError.invalid("global average pool", "input must be [N, C, H, W], got \(describe(x.shape))") }
    let backend = x.value.backend, layout = x.value.layout
    let y = backend.globalAvgPool(x.value.memory, layout: layout)
    return Variable.result(y, parents: [x]) { dy in
        let inputShape = layout.inMemoryOrder(x.shape)
        x.accumulate(backend.globalAvgPoolBackward(dy, inputShape: inputShape, layout: layout).laidOut(as: layout))
    }
}
