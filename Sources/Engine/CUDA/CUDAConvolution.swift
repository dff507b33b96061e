/// Convolution on the device: by the runtime's vendor convolution (cuDNN) when it has one and an algorithm
/// for the geometry; else as on the CPU (CPUConvolution.swift): im2col over chunks of the batch, one GEMM
/// per chunk into the [OC, N·OH·OW] product (CNHW), and col2im for the input gradient.
extension CUDABackend {
    /// Floats of column matrix per chunk (128 MiB): a 224×224 stem conv at batch 64 takes a few chunks.
    static let columnBudget = 1 << 25

    func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let (x, weight) = (here(x), here(weight))
        let y = byLibrary(.forward, g, x, weight, shape: g.outputShape) ?? convolutionByGEMM(x, weight, g)
        if let bias {
            let bias = here(bias), (outer, inner) = channelRuns(g)
            run("add_channel_bias", elements: y.count, [y.address, bias.address, .int(outer), .int(g.outChannels), .int(inner)])
        }
        return try! y.reshaped(g.outputShape)
    }

    /// The output of the runtime's vendor convolution for `pass` (operands in its order), or nil when there is
    /// none or it has no algorithm for `g`.
    private func byLibrary(_ pass: ConvolutionPass, _ g: ConvGeometry, _ first: Tensor, _ second: Tensor, shape: [Int]) -> Tensor? {
        guard let library = device.runtime.convolution, let problem = ConvolutionDescriptors(g) else { return nil }
        var output = empty(shape)
        return library.run(pass, problem, first.deviceAddress, second.deviceAddress, into: output.mutableDeviceAddress()) ? output : nil
    }

    /// The output as `outer` runs of [channels, `inner`] (CNHW: one run; NCHW: one per image), as the
    /// channel bias kernels take it.
    private func channelRuns(_ g: ConvGeometry) -> (outer: Int, inner: Int) {
        g.layout == .cnhw ? (1, g.columnCount) : (g.batch, g.outH * g.outW)
    }

    private func convolutionByGEMM(_ x: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let product = empty([g.outChannels, g.columnCount]), outArea = g.outH * g.outW
        forEachChunk(x, g) { images, columns in
            gemm(m: g.outChannels, n: images.count * outArea, k: g.columnRows, a: weight.deviceAddress, lda: g.columnRows,
                 b: columns, ldb: images.count * outArea, c: product.deviceAddress + images.lowerBound * outArea, ldc: g.columnCount)
        }
        return g.layout == .cnhw ? product : swapFirstTwoAxes(try! product.reshaped([g.outChannels, g.batch, outArea]))
    }

    func conv2dBackward(_ dy: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        wants: (input: Bool, weight: Bool, bias: Bool)) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let (x, weight, dy) = (here(x), here(weight), here(dy))
        var dx = wants.input ? byLibrary(.backwardData, g, weight, dy, shape: g.inputShape) : nil
        var dw = wants.weight ? byLibrary(.backwardFilter, g, x, dy, shape: weight.shape) : nil
        let rest = (input: wants.input && dx == nil, weight: wants.weight && dw == nil)
        if rest.input || rest.weight {
            let dyColumns = g.layout == .cnhw ? dy : swapFirstTwoAxes(try! dy.reshaped([g.batch, g.outChannels, g.outH * g.outW]))
            let byGEMM = conv2dBackwardByGEMM(dyColumns, x: x, weight: weight, g, wants: rest)
            dx = dx ?? byGEMM.input
            dw = dw ?? byGEMM.weight
        }
        var db: Tensor?
        if wants.bias {
            db = empty([g.outChannels])
            let (outer, inner) = channelRuns(g)
            run("channel_sums", blocks: g.outChannels, [dy.address, db!.address, .int(outer), .int(g.outChannels), .int(inner)])
        }
        return (dx, dw, db)
    }

    /// The input and weight gradients by GEMM and col2im, from dy in CNHW order.
    private func conv2dBackwardByGEMM(_ dyColumns: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                                      wants: (input: Bool, weight: Bool)) -> (input: Tensor?, weight: Tensor?) {
        let outArea = g.outH * g.outW
        let dw = wants.weight ? empty(weight.shape) : nil
        let dx = wants.input ? empty(g.inputShape) : nil
        let dcols = wants.input && !g.isPointwise ? empty([g.columnRows * g.imagesPerChunk(columnBudget: Self.columnBudget) * outArea]) : nil
        forEachChunk(x, g) { images, columns in
            let width = images.count * outArea, dyChunk = dyColumns.deviceAddress + images.lowerBound * outArea
            if let dw {
                gemm(transB: true, m: g.outChannels, n: g.columnRows, k: width, a: dyChunk, lda: g.columnCount,
                     b: columns, ldb: width, beta: images.lowerBound == 0 ? 0 : 1, c: dw.deviceAddress, ldc: g.columnRows)
            }
            guard let dx else { return }
            // A pointwise convolution's column gradient is the input gradient itself.
            gemm(transA: true, m: g.columnRows, n: width, k: g.outChannels, a: weight.deviceAddress, lda: g.columnRows,
                 b: dyChunk, ldb: g.columnCount, c: (dcols ?? dx).deviceAddress, ldc: width)
            if let dcols { fold("col2im", g, images: images, dcols, dx) }
        }
        return (dx, dw)
    }

    /// Calls `body(images, columns)` for consecutive chunks of the batch with the chunk's column matrix
    /// [C·KH·KW, images·OH·OW] on the device (for a pointwise convolution, x itself, all at once).
    private func forEachChunk(_ x: Tensor, _ g: ConvGeometry, _ body: (Range<Int>, DeviceAddress) -> Void) {
        if g.isPointwise { return body(0..<g.batch, x.deviceAddress) }
        let perChunk = g.imagesPerChunk(columnBudget: Self.columnBudget)
        let columns = empty([g.columnRows * perChunk * g.outH * g.outW])
        for start in stride(from: 0, to: g.batch, by: perChunk) {
            let images = start..<min(g.batch, start + perChunk)
            fold("im2col", g, images: images, x, columns)
            body(images, columns.deviceAddress)
        }
    }

    /// Launches im2col (x → columns) or col2im (columns → dx) for the chunk `images`.
    private func fold(_ kernel: String, _ g: ConvGeometry, images: Range<Int>, _ source: Tensor, _ destination: Tensor) {
        let elements = kernel == "im2col" ? g.columnRows * images.count * g.outH * g.outW : images.count * g.channels * g.height * g.width
        run(kernel, elements: elements, [
            source.address, destination.address, .int(g.batch), .int(g.channels), .int(g.height), .int(g.width),
            .int(g.kernelH), .int(g.kernelW), .int(g.strideH), .int(g.strideW), .int(g.padH), .int(g.padW),
            .int(g.outH), .int(g.outW), .int(g.layout == .nchw ? 1 : 0), .int(images.lowerBound), .int(images.count),
        ])
    }
}
