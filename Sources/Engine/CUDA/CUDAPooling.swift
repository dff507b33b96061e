/// Pooling on the device: one thread per output (forward) or per input pixel (backward, gathering).
extension CUDABackend {
    func maxPool2d(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
        let x = here(x), y = empty(g.outputShape)
        run("max_pool_forward", elements: y.count, [x.address, y.address] + window(g))
        return y
    }

    func maxPool2dBackward(_ dy: Tensor, x: Tensor, _ g: PoolGeometry) -> Tensor {
        let (x, dy) = (here(x), here(dy))
        let dx = empty(g.inputShape)
        run("max_pool_backward", elements: dx.count, [x.address, dy.address, dx.address] + window(g))
        return dx
    }

    func avgPool2d(_ x: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        let x = here(x), y = empty(g.outputShape)
        run("avg_pool_forward", elements: y.count, [x.address, y.address] + window(g) + [.int(countIncludePad ? 1 : 0)])
        return y
    }

    func avgPool2dBackward(_ dy: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        let dy = here(dy), dx = empty(g.inputShape)
        run("avg_pool_backward", elements: dx.count, [dy.address, dx.address] + window(g) + [.int(countIncludePad ? 1 : 0)])
        return dx
    }

    func globalAvgPool(_ x: Tensor, layout: ImageLayout) -> Tensor {
        let x = here(x)
        let (n, c) = layout.batchAndChannels(x.shape), area = x.shape[2] * x.shape[3]
        let y = empty([n, c])
        run("global_avg_pool_forward", blocks: n * c, [x.address, y.address, .int(n), .int(c), .int(area), .int(layout == .nchw ? 1 : 0)])
        return y
    }

    func globalAvgPoolBackward(_ dy: Tensor, inputShape: [Int], layout: ImageLayout) -> Tensor {
        let dy = here(dy)
        let (n, c) = layout.batchAndChannels(inputShape), area = inputShape[2] * inputShape[3]
        let dx = empty(inputShape)
        run("global_avg_pool_backward", elements: dx.count, [dy.address, dx.address, .int(n), .int(c), .int(area), .int(layout == .nchw ? 1 : 0)])
        return dx
    }

    /// planes, height, width, outH, outW, kernel, stride and padding: the kernels' window parameters.
    private func window(_ g: PoolGeometry) -> [KernelArgument] {
        [g.planes, g.height, g.width, g.outH, g.outW, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW].map { .int($0) }
    }
}
