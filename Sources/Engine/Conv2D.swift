/// The sizes of one 2-D convolution, derived once and shared by its forward and backward passes.
struct ConvGeometry {
    let batch, channels, height, width: Int
    let outChannels, kernelH, kernelW, strideH, strideW, padH, padW: Int
    let outH, outW: Int
    let layout: ImageLayout
    /// Which products the CPU computes it with (`EngineContext.convolution`).
    var convolution: WinogradUse = .auto

    /// The same convolution computed under another policy.
    func using(_ policy: WinogradUse) -> ConvGeometry {
        var g = self
        g.convolution = policy
        return g
    }

    var kernelArea: Int { kernelH * kernelW }
    /// Rows of the column matrix: one per (input channel, kernel row, kernel column).
    var columnRows: Int { channels * kernelArea }
    /// Columns of the column matrix: one per (image, output row, output column).
    var columnCount: Int { batch * outH * outW }
    /// A 1×1, stride 1, unpadded convolution in CNHW: the input already is its column matrix.
    var isPointwise: Bool {
        layout == .cnhw && kernelArea == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }

    /// The input's and the output's shapes as they lie in memory in `layout` (the kernels' view).
    var inputShape: [Int] { layout == .nchw ? [batch, channels, height, width] : [channels, batch, height, width] }
    var outputShape: [Int] { layout == .nchw ? [batch, outChannels, outH, outW] : [outChannels, batch, outH, outW] }
    /// The output's shape as PyTorch gives it, whatever the layout.
    var outputImageShape: [Int] { [batch, outChannels, outH, outW] }
    /// Index of image n's channel c plane among the input's planes.
    func inputPlane(_ n: Int, _ c: Int) -> Int { layout == .nchw ? n * channels + c : c * batch + n }
    /// Index of image n's output channel oc plane among the output's planes.
    func outputPlane(_ n: Int, _ oc: Int) -> Int { layout == .nchw ? n * outChannels + oc : oc * batch + n }

    /// Images per chunk of the batch whose column matrix fits `columnBudget` floats, but enough for
    /// `minimumColumns` output positions (at least one image; the whole batch for a pointwise
    /// convolution, which unfolds nothing).
    func imagesPerChunk(columnBudget: Int, minimumColumns: Int = 0) -> Int {
        let area = max(1, outH * outW), fitting = columnBudget / max(1, columnRows * area)
        return isPointwise ? batch : max(1, min(batch, max(fitting, (minimumColumns + area - 1) / area)))
    }

    /// Output rows [lo, hi) whose input row under kernel row ki lies inside the image.
    func validRows(_ ki: Int) -> (Int, Int) {
        let lo = min(outH, max(0, (padH - ki + strideH - 1) / strideH))
        let hi = max(lo, min(outH, (height + padH - ki + strideH - 1) / strideH))
        return (lo, hi)
    }

    /// Stride 1 and an output the size of the input (padding (k − 1) / 2): each tap of the unfolding is
    /// the input shifted.
    var keepsSizeWithStrideOne: Bool { strideH == 1 && strideW == 1 && outH == height && outW == width }

    /// Output columns [lo, hi) whose input column under kernel column kj lies inside the image.
    func validColumns(_ kj: Int) -> (Int, Int) {
        let lo = min(outW, max(0, (padW - kj + strideW - 1) / strideW))
        let hi = max(lo, min(outW, (width + padW - kj + strideW - 1) / strideW))
        return (lo, hi)
    }
}

/// 2-D convolution (PyTorch's F.conv2d, groups = 1, dilation = 1) of x [N, C, H, W] with weight [OC, C, KH, KW]
/// and an optional bias [OC]; the output [N, OC, OH, OW] lies in the layout x's backend computes convolutions in
/// (`Backend.imageLayout`), which the ops that follow keep. `convolution` chooses the CPU's products (the same
/// values within rounding either way).
public func conv2d(_ x: Variable, _ weight: Variable, _ bias: Variable? = nil,
                   stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), convolution: WinogradUse = .auto) throws -> Variable {
    try conv2d(x, weight, bias, stride: stride, padding: padding, computingIn: x.value.backend.imageLayout, convolution: convolution)
}

/// The convolution computed in `layout`, x moved into it first when it lies otherwise (once, at a backbone's
/// stem); the kernels' own tests ask for each layout.
func conv2d(_ x: Variable, _ weight: Variable, _ bias: Variable?, stride: (Int, Int), padding: (Int, Int),
            computingIn layout: ImageLayout, convolution: WinogradUse = .auto) throws -> Variable {
    let g = try convGeometry(x.shape, weight.shape, bias?.shape, stride: stride, padding: padding, layout: layout)
        .using(convolution)
    let backend = x.value.backend, input = x.value.inLayout(layout)
    // A converted input is kept for the backward pass (as the stem's moved batch), so it is converted once.
    let converted = input.layout == x.value.layout ? nil : input
    let y = backend.conv2d(input.memory, weight.value, bias?.value, g).laidOut(as: layout)
    let parents = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable.result(y, parents: parents) { dy in
        let grads = backend.conv2dBackward(dy.memory, x: (converted ?? x.value).memory, weight: weight.value, g,
                                           wants: (x.requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false))
        if let dx = grads.input { x.accumulate(dx.laidOut(as: layout)) }
        if let dw = grads.weight { weight.accumulate(dw) }
        if let db = grads.bias { bias?.accumulate(db) }
    }
}

/// Checks a convolution's shapes (x [N, C, H, W]) and derives its geometry for computing in `layout`.
func convGeometry(_ x: [Int], _ weight: [Int], _ bias: [Int]?, stride: (Int, Int), padding: (Int, Int),
                  layout: ImageLayout) throws -> ConvGeometry {
    let op = "conv2d"
    guard x.count == 4, weight.count == 4 else {
        throw EngineError.shapeMismatch(op, "input must be [N, C, H, W] and weight [OC, C, KH, KW]", x, weight)
    }
    let (batch, channels) = (x[0], x[1])
    guard weight[1] == channels else {
        throw EngineError.shapeMismatch(op, "input channels differ from weight's", x, weight)
    }
    guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0 else {
        throw EngineError.invalid(op, "stride must be positive and padding non-negative, got stride \(stride), padding \(padding)")
    }
    let (kh, kw, h, w) = (weight[2], weight[3], x[2], x[3])
    guard h + 2 * padding.0 >= kh, w + 2 * padding.1 >= kw else {
        throw EngineError.shapeMismatch(op, "kernel larger than the padded input", x, weight)
    }
    if let bias, bias != [weight[0]] {
        throw EngineError.shapeMismatch(op, "bias must be [OC]", bias, [weight[0]])
    }
    return ConvGeometry(batch: batch, channels: channels, height: h, width: w,
                        outChannels: weight[0], kernelH: kh, kernelW: kw,
                        strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                        outH: (h + 2 * padding.0 - kh) / stride.0 + 1,
                        outW: (w + 2 * padding.1 - kw) / stride.1 + 1, layout: layout)
}

/// A 2-D convolution layer (PyTorch's nn.Conv2d, groups = 1), initialised as PyTorch does by default.
public final class Conv2D: Module {
    public let weight: Variable
    public let bias: Variable?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    /// Which products the CPU computes it with: its model's `EngineContext.convolution`.
    public var convolution: WinogradUse = .auto

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
        try conv2d(x, weight, bias, stride: stride, padding: padding, convolution: convolution)
    }

    public func use(_ context: EngineContext) { convolution = context.convolution }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        [NamedVariable(name: qualified(prefix, "weight"), variable: weight, isBuffer: false)]
            + (bias.map { [NamedVariable(name: qualified(prefix, "bias"), variable: $0, isBuffer: false)] } ?? [])
    }
}
