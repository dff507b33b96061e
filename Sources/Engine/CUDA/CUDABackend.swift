/// The CUDA backend: every kernel of `Backend` as launches of the kernels in CUDA/Kernels on its
/// device's runtime. Results stay on the device; tensors that arrive from the host (a seed gradient,
/// targets, a dropout mask) are copied over once. Kernels of one family live in their own files.
final class CUDABackend: Backend {
    unowned let device: CUDADevice
    /// Channel-major as on the CPU: the GEMM convolutions produce it, and a model's activations lie alike on
    /// either device.
    var imageLayout: ImageLayout { .cnhw }
    /// Threads per block of every 1-D launch (the block reductions in common.cuh assume it).
    static let threads = 256
    /// Grid-stride launches use at most this many blocks: enough to fill a GPU of well over a hundred SMs many times over.
    static let maxBlocks = 4096

    init(device: CUDADevice) {
        self.device = device
    }

    /// An uninitialised tensor on this device.
    func empty(_ shape: [Int]) -> Tensor { Tensor(uninitialized: shape, device: .cuda(device)) }

    /// `t` on this device (copied from the host when it is not).
    func here(_ t: Tensor) -> Tensor { t.to(.cuda(device)) }

    /// Launches a grid-stride kernel over `elements` items.
    func run(_ kernel: String, elements: Int, _ arguments: [KernelArgument]) {
        guard elements > 0 else { return }
        let blocks = min(Self.maxBlocks, (elements + Self.threads - 1) / Self.threads)
        device.runtime.launch(kernel, grid: (blocks, 1, 1), block: (Self.threads, 1, 1), arguments)
    }

    /// Launches a kernel with one block of `threads` threads per item (per-channel and per-plane reductions).
    func run(_ kernel: String, blocks: Int, _ arguments: [KernelArgument]) {
        guard blocks > 0 else { return }
        device.runtime.launch(kernel, grid: (blocks, 1, 1), block: (Self.threads, 1, 1), arguments)
    }

    func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (a, b) = (here(a), here(b))
        let y = empty(a.shape)
        run("add", elements: a.count, [a.address, b.address, y.address, .int(a.count)])
        return y
    }

    func addInPlace(_ a: inout Tensor, _ b: Tensor) {
        a = here(a)
        let b = here(b), ap = a.mutableDeviceAddress()
        run("add_in_place", elements: a.count, [.address(ap), b.address, .int(a.count)])
    }

    func scale(_ x: Tensor, by s: Float) -> Tensor {
        let x = here(x), y = empty(x.shape)
        run("scale", elements: x.count, [x.address, y.address, .float(s), .int(x.count)])
        return y
    }

    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (a, b) = (here(a), here(b))
        let y = empty(a.shape)
        run("multiply", elements: a.count, [a.address, b.address, y.address, .int(a.count)])
        return y
    }

    func leakyReLU(_ x: Tensor, slope: Float) -> Tensor {
        let x = here(x), y = empty(x.shape)
        run("leaky_relu", elements: x.count, [x.address, y.address, .float(slope), .int(x.count)])
        return y
    }

    func leakyReLUBackward(_ dy: Tensor, input: Tensor, slope: Float) -> Tensor {
        let (dy, x) = (here(dy), here(input))
        let dx = empty(dy.shape)
        run("leaky_relu_backward", elements: dy.count, [dy.address, x.address, dx.address, .float(slope), .int(dy.count)])
        return dx
    }

    func firstNonFinite(_ x: Tensor) -> Float? {
        let x = here(x)
        // One int on the device, starting at count: the kernel lowers it to the first bad index.
        let flag = try! Tensor(shape: [1], values: [Float(bitPattern: UInt32(x.count))]).to(.cuda(device))
        run("first_non_finite", elements: x.count, [x.address, flag.address, .int(x.count)])
        let index = Int(flag.scalar.bitPattern)
        guard index < x.count else { return nil }
        var value: Float = 0
        device.copy(fromDevice: x.deviceAddress + index, to: &value, count: 1)
        return value
    }

    func swapFirstTwoAxes(_ x: Tensor) -> Tensor {
        let x = here(x)
        let (a, b) = (x.shape[0], x.shape[1])
        var shape = x.shape
        shape.swapAt(0, 1)
        let y = empty(shape)
        run("swap_first_two_axes", elements: x.count, [x.address, y.address, .int(a), .int(b), .int(x.count / max(1, a * b))])
        return y
    }

    func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, adding c: Tensor?) -> Tensor {
        let (a, b) = (here(a), here(b))
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var y = c.map { here($0).copied() } ?? empty([m, n])
        gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: a.deviceAddress, lda: a.shape[1],
             b: b.deviceAddress, ldb: b.shape[1], beta: c == nil ? 0 : 1, c: y.mutableDeviceAddress(), ldc: n)
        return y
    }

    /// C = op(A)·op(B) + beta·C on device matrices, as the CPU's `gemm` (row-major, leading dimensions given):
    /// through the runtime's BLAS when it has one, else the tiled kernel.
    func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, a: DeviceAddress, lda: Int,
              b: DeviceAddress, ldb: Int, beta: Float = 0, c: DeviceAddress, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if let blas = device.runtime.blas {
            // A row-major matrix is its transpose in column-major: C = op(A)·op(B) is Cᵀ = op(B)ᵀ·op(A)ᵀ.
            return blas.sgemm(transA: transB, transB: transA, m: n, n: m, k: k, alpha: 1, a: b, lda: ldb,
                              b: a, ldb: lda, beta: beta, c: c, ldc: ldc)
        }
        let tile = 64
        device.runtime.launch("gemm", grid: ((n + tile - 1) / tile, (m + tile - 1) / tile, 1), block: (16, 16, 1), [
            .int(transA ? 1 : 0), .int(transB ? 1 : 0), .int(m), .int(n), .int(k), .float(1),
            .address(a), .int(lda), .address(b), .int(ldb), .float(beta), .address(c), .int(ldc),
        ])
    }

    func sumRows(_ x: Tensor) -> Tensor {
        let x = here(x), y = empty([x.shape[1]])
        run("sum_rows", elements: x.shape[1], [x.address, y.address, .int(x.shape[0]), .int(x.shape[1])])
        return y
    }

    func repeatRows(_ v: Tensor, count: Int) -> Tensor {
        let v = here(v), y = empty([count, v.count])
        run("repeat_rows", elements: y.count, [v.address, y.address, .int(count), .int(v.count)])
        return y
    }
}

extension Tensor {
    /// This device tensor's storage as a kernel argument (read-only use; writers take `mutableDeviceAddress()`).
    var address: KernelArgument { .address(deviceAddress) }
}
