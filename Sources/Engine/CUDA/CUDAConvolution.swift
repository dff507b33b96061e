/// Convolution on the device as on the CPU (CPUConvolution.swift): im2col over chunks of the batch,
/// one tiled GEMM per chunk into the [OC, N·OH·OW] product (CNHW), and col2im for the input gradient.
extension CUDABackend {
    /// Floats of column matrix per chunk (128 MiB): a 224×224 stem conv at batch 64 takes a few chunks.
    static let columnBudget = 1 << 25

    func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let (x, weight) = (here(x), here(weight))
        let product = empty([g.outChannels, g.columnCount]), outArea = g.outH * g.outW
        forEachChunk(x, g) { images, columns in
            gemm(m: g.outChannels, n: images.count * outArea, k: g.columnRows, a: weight.pointer, lda: g.columnRows,
                 b: columns, ldb: images.count * outArea, c: product.pointer + images.lowerBound * outArea, ldc: g.columnCount)
        }
        let y = g.layout == .cnhw ? product : swapFirstTwoAxes(try! product.reshaped([g.outChannels, g.batch, outArea]))
        if let bias {
            let bias = here(bias), outer = g.layout == .cnhw ? 1 : g.batch
            let inner = g.layout == .cnhw ? g.columnCount : outArea
            run("add_channel_bias", elements: y.count, [y.address, bias.address, .int(outer), .int(g.outChannels), .int(inner)])
        }
        return try! y.reshaped(g.outputShape)
    }

    func conv2dBackward(_ dy: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        wants: (input: Bool, weight: Bool, bias: Bool)) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let (x, weight, dy) = (here(x), here(weight), here(dy))
        let outArea = g.outH * g.outW
        let dyColumns = g.layout == .cnhw ? dy : swapFirstTwoAxes(try! dy.reshaped([g.batch, g.outChannels, outArea]))
        let dw = wants.weight ? empty(weight.shape) : nil
        let dx = wants.input ? empty(g.inputShape) : nil
        let dcols = wants.input && !g.isPointwise ? empty([g.columnRows * g.imagesPerChunk(columnBudget: Self.columnBudget) * outArea]) : nil
        if wants.weight || wants.input {
            forEachChunk(x, g) { images, columns in
                let width = images.count * outArea, dyChunk = dyColumns.pointer + images.lowerBound * outArea
                if let dw {
                    gemm(transB: true, m: g.outChannels, n: g.columnRows, k: width, a: dyChunk, lda: g.columnCount,
                         b: columns, ldb: width, beta: images.lowerBound == 0 ? 0 : 1, c: dw.pointer, ldc: g.columnRows)
                }
                guard let dx else { return }
                // A pointwise convolution's column gradient is the input gradient itself.
                gemm(transA: true, m: g.columnRows, n: width, k: g.outChannels, a: weight.pointer, lda: g.columnRows,
                     b: dyChunk, ldb: g.columnCount, c: (dcols ?? dx).pointer, ldc: width)
                if let dcols { fold("col2im", g, images: images, dcols, dx) }
            }
        }
        var db: Tensor?
        if wants.bias {
            db = empty([g.outChannels])
            run("channel_sums", blocks: g.outChannels, [dyColumns.address, db!.address, .int(1), .int(g.outChannels), .int(g.columnCount)])
        }
        return (dx, dw, db)
    }

    /// Calls `body(images, columns)` for consecutive chunks of the batch with the chunk's column matrix
    /// [C·KH·KW, images·OH·OW] on the device (for a pointwise convolution, x itself, all at once).
    private func forEachChunk(_ x: Tensor, _ g: ConvGeometry, _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        if g.isPointwise { return body(0..<g.batch, x.pointer) }
        let perChunk = g.imagesPerChunk(columnBudget: Self.columnBudget)
        let columns = empty([g.columnRows * perChunk * g.outH * g.outW])
        for start in stride(from: 0, to: g.batch, by: perChunk) {
            let images = start..<min(g.batch, start + perChunk)
            fold("im2col", g, images: images, x, columns)
            body(images, columns.pointer)
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
