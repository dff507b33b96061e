/// How a batch of images lies in memory. A tensor's shape is PyTorch's [N, C, H, W] in either; the layout is
/// the backend's business: an op computes in the layout its backend chooses (a convolution's output is in the
/// layout its GEMM produces), converting its input once where it arrives in another, and the ops that follow
/// keep the layout. Code above the backend asks for a layout only where it reads memory (`inLayout`).
public enum ImageLayout: Equatable {
    /// [N, C, H, W] row-major, PyTorch's contiguous layout: each image's channels together.
    case nchw
    /// [C, N, H, W] in memory, channel-major: each channel's planes of the whole batch together. A convolution's
    /// GEMM produces and consumes this layout directly, and batch norm reads each channel as one block, so a
    /// backbone run in it never reorders its activations.
    case cnhw

    /// Batch size and channel count of a 4-D shape as it lies in memory in this layout.
    func batchAndChannels(_ shape: [Int]) -> (batch: Int, channels: Int) {
        self == .nchw ? (shape[0], shape[1]) : (shape[1], shape[0])
    }

    /// Shape (or index) [N, C, …] put in the order its axes lie in memory in this layout; its own inverse.
    func inMemoryOrder(_ axes: [Int]) -> [Int] {
        guard self == .cnhw, axes.count >= 2 else { return axes }
        var swapped = axes
        swapped.swapAt(0, 1)
        return swapped
    }
}

extension Tensor {
    /// The same values laid out as `layout` asks (itself when they already are): one pass over the elements.
    public func inLayout(_ layout: ImageLayout) -> Tensor {
        guard layout != self.layout else { return self }
        precondition(rank == 4, "only a batch of images [N, C, H, W] has a layout other than row-major, got \(describe(shape))")
        return backend.swapFirstTwoAxes(memory).laidOut(as: layout)
    }

    /// The storage as the backend sees it: the shape in memory order, row-major ([C, N, H, W] for `.cnhw`).
    var memory: Tensor { layout == .nchw ? self : viewed(shape: layout.inMemoryOrder(shape), layout: .nchw) }

    /// A backend's result read as a batch of images in `layout`: this tensor's shape is in that layout's memory
    /// order; the result's is PyTorch's.
    func laidOut(as layout: ImageLayout) -> Tensor {
        layout == .nchw ? self : viewed(shape: layout.inMemoryOrder(shape), layout: layout)
    }
}

/// x with its values laid out as `layout` asks, e.g. a feature map computed channel-major read image by image;
/// the gradient flows back into x's layout.
public func inLayout(_ x: Variable, _ layout: ImageLayout) throws -> Variable {
    guard layout == x.value.layout || x.shape.count == 4 else {
        throw EngineError.invalid("layout", "only a batch of images [N, C, H, W] has a layout, got \(describe(x.shape))")
    }
    return Variable.result(x.value.inLayout(layout), parents: [x]) { dy in x.accumulate(dy) }
}
