/// Convolution on device memory by a vendor library, exactly as cuDNN's legacy API defines it: the input
/// and output are 4-D tensors given by their sizes (n, c, h, w) and strides in elements, so one call reads
/// and writes the engine's NCHW or channel-major CNHW activations where they lie (no transpose); the filter
/// is packed [K, C, KH, KW]; the operation is cross-correlation (PyTorch's conv2d), FP32 in, FP32 math.
/// When the runtime has one, the CUDA backend's convolutions go through it instead of im2col and GEMM.
protocol DeviceConvolution: AnyObject {
    /// A line for `info`.
    var summary: String { get }
    /// How many passes it ran and how many it left to the caller's kernels, so far.
    var report: String { get }
    /// Runs `pass` on `problem`, overwriting `output` (beta 0); false when the library has no algorithm
    /// for it, and the caller then uses its own kernels. The operands in cuDNN's order:
    /// forward: x, w → y. backwardData: w, dy → dx. backwardFilter: x, dy → dw.
    func run(_ pass: ConvolutionPass, _ problem: ConvolutionDescriptors, _ first: DeviceAddress, _ second: DeviceAddress,
             into output: DeviceAddress) -> Bool
}

enum ConvolutionPass: Int, CaseIterable {
    case forward, backwardData, backwardFilter
}

/// One convolution as cuDNN's descriptors take it: cudnnSetTensor4dDescriptorEx's (n, c, h, w) sizes and
/// strides for the input and the output, cudnnSetFilter4dDescriptor's (k, c, h, w), and
/// cudnnSetConvolution2dDescriptor's padding and strides (dilation 1).
struct ConvolutionDescriptors: Hashable {
    struct Tensor4D: Hashable {
        /// n, c, h, w.
        let sizes: [Int32]
        /// Elements between neighbours along n, c, h and w.
        let strides: [Int32]
    }

    let input: Tensor4D
    let output: Tensor4D
    /// k (output channels), c, kernel height, kernel width: the engine's weight [OC, C, KH, KW], packed.
    let filter: [Int32]
    let padding: (h: Int32, w: Int32)
    let stride: (h: Int32, w: Int32)

    /// The descriptors of `g`, or nil when a size or a stride does not fit cuDNN's 32-bit ints.
    init?(_ g: ConvGeometry) {
        let values = [g.batch * g.channels * g.height * g.width, g.batch * g.outChannels * g.outH * g.outW, g.columnRows * g.outChannels]
        guard values.allSatisfy({ $0 <= Int(Int32.max) }) else { return nil }
        input = Self.tensor(batch: g.batch, channels: g.channels, height: g.height, width: g.width, layout: g.layout)
        output = Self.tensor(batch: g.batch, channels: g.outChannels, height: g.outH, width: g.outW, layout: g.layout)
        filter = [g.outChannels, g.channels, g.kernelH, g.kernelW].map { Int32($0) }
        padding = (Int32(g.padH), Int32(g.padW))
        stride = (Int32(g.strideH), Int32(g.strideW))
    }

    /// NCHW: an image's planes together (n stride C·H·W, c stride H·W). CNHW: a channel's planes of the
    /// whole batch together (c stride N·H·W, n stride H·W). Rows and columns are packed in both.
    static func tensor(batch: Int, channels: Int, height: Int, width: Int, layout: ImageLayout) -> Tensor4D {
        let plane = height * width
        let (n, c) = layout == .nchw ? (channels * plane, plane) : (plane, batch * plane)
        return Tensor4D(sizes: [batch, channels, height, width].map { Int32($0) }, strides: [n, c, width, 1].map { Int32($0) })
    }

    static func == (a: Self, b: Self) -> Bool {
        a.input == b.input && a.output == b.output && a.filter == b.filter && a.padding == b.padding && a.stride == b.stride
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(input)
        hasher.combine(output)
        hasher.combine(filter)
        hasher.combine([padding.h, padding.w, stride.h, stride.w])
    }
}
