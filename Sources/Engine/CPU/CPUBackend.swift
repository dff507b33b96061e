import Foundation

/// The reference backend: host memory, OpenBLAS sgemm, and the engine's own loops spread over
/// the threads of the context the work runs in (`HostResources`). Kernels of one family live in their own files (CPUConvolution, …).
struct CPUBackend: Backend {
    static let shared = CPUBackend()

    /// Channel-major: the convolution's GEMM produces [OC, N·OH·OW] directly, and batch norm reads each channel
    /// as one block.
    var imageLayout: ImageLayout { .cnhw }

    /// Elementwise loops split into chunks of at least this many elements, so that small tensors
    /// stay on one thread (a thread hand-off costs more than a few thousand additions).
    static let elementwiseChunk = 1 << 15
    /// ... and loops that do more per element than one pass of arithmetic (im2col's unfolding, Winograd's
    /// transforms, pooling windows) in chunks of at least this many: while a batch-1 pass runs, the other
    /// thread spins between loops (WorkerPool), so a hand-off costs little more than a few cache lines passed
    /// between the cores, and one image's layers would otherwise run these loops on one thread while the other waits.
    static let kernelChunk = 1 << 12

    func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        var y = Tensor(uninitialized: a.shape)
        let ap = a.pointer, bp = b.pointer, yp = y.mutablePointer()
        parallelChunks(a.count, minimumPerChunk: Self.elementwiseChunk) { range in
            for i in range { yp[i] = ap[i] + bp[i] }
        }
        return y
    }

    func addInPlace(_ a: inout Tensor, _ b: Tensor) {
        let ap = a.mutablePointer(), bp = b.pointer
        parallelChunks(a.count, minimumPerChunk: Self.elementwiseChunk) { range in
            for i in range { ap[i] += bp[i] }
        }
    }

    func scale(_ x: Tensor, by s: Float) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let xp = x.pointer, yp = y.mutablePointer()
        for i in 0..<x.count { yp[i] = xp[i] * s }
        return y
    }

    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        var y = Tensor(uninitialized: a.shape)
        let ap = a.pointer, bp = b.pointer, yp = y.mutablePointer()
        for i in 0..<a.count { yp[i] = ap[i] * bp[i] }
        return y
    }

    // The selects below are written as max/min and a multiply so that they compile to vector
    // blends; the branchy form `x > 0 ? … : …` ran scalar and mispredicted on every sign change.
    func leakyReLU(_ x: Tensor, slope: Float) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let xp = x.pointer, yp = y.mutablePointer()
        parallelChunks(x.count, minimumPerChunk: Self.elementwiseChunk) { range in
            for i in range { let v = xp[i]; yp[i] = max(v, 0) + slope * min(v, 0) }
        }
        return y
    }

    func leakyReLUBackward(_ dy: Tensor, input: Tensor, slope: Float) -> Tensor {
        var dx = Tensor(uninitialized: dy.shape)
        let dyp = dy.pointer, xp = input.pointer, dxp = dx.mutablePointer()
        parallelChunks(dy.count, minimumPerChunk: Self.elementwiseChunk) { range in
            for i in range { dxp[i] = dyp[i] * (xp[i] > 0 ? 1 : slope) }
        }
        return dx
    }

    func firstNonFinite(_ x: Tensor) -> Float? {
        // NaN and ±∞ are the values whose exponent bits are all ones. An integer max over the
        // exponents vectorises (a float scan does not), so finite tensors cost one fast pass.
        let bits = UnsafeRawPointer(x.pointer).assumingMemoryBound(to: UInt32.self)
        var largest: UInt32 = 0
        for i in 0..<x.count { largest = max(largest, bits[i] & 0x7f80_0000) }
        guard largest == 0x7f80_0000 else { return nil }
        return UnsafeBufferPointer(start: x.pointer, count: x.count).first { !$0.isFinite }
    }

    func swapFirstTwoAxes(_ x: Tensor) -> Tensor {
        let (a, b) = (x.shape[0], x.shape[1])
        let inner = x.count / max(1, a * b)
        var shape = x.shape
        shape.swapAt(0, 1)
        // One image (or one channel): the order of the elements does not change, only the shape.
        if a == 1 || b == 1 { return try! x.reshaped(shape) }
        var y = Tensor(uninitialized: shape)
        let xp = x.pointer, yp = y.mutablePointer()
        parallelFor(a * b, minimumPerChunk: max(1, 4096 / max(inner, 1))) { block in
            let i = block / b, j = block % b
            (yp + (j * a + i) * inner).update(from: xp + block * inner, count: inner)
        }
        return y
    }

    func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, adding c: Tensor?) -> Tensor {
        // A linear layer's x·Wᵀ: in evaluation W comes back call after call, and a few rows of x (one image's) go
        // to the narrow product on W packed once.
        if !transposeA, transposeB, !GradMode.isEnabled, NarrowGEMM.pays(n: a.shape[0]) { return narrowMatmul(a, b, adding: c) }
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var y = c.map { $0.copied() } ?? Tensor(uninitialized: [m, n])
        gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: a.pointer, b: b.pointer,
             beta: c == nil ? 0 : 1, c: y.mutablePointer())
        return y
    }

    /// a·wᵀ (+ c) for a [m, k] and w [n, k], as (w·aᵀ)ᵀ through `NarrowGEMM` on w packed once and kept with its
    /// storage; one row of a is its own transpose.
    private func narrowMatmul(_ a: Tensor, _ w: Tensor, adding c: Tensor?) -> Tensor {
        let (m, k, n) = (a.shape[0], a.shape[1], w.shape[0])
        let packed = NarrowGEMM.weights(w, kind: "narrow gemm", m: n, k: k, lda: k)
        func transposed(_ x: Tensor) -> Tensor { m == 1 ? x : swapFirstTwoAxes(x) }
        let at = transposed(a), ct = c.map(transposed)
        var yt = Tensor(uninitialized: [n, m])
        NarrowGEMM.multiply(packed.pointer, m: n, n: m, k: k, b: at.pointer, ldb: m, c: yt.mutablePointer(), ldc: m,
                            ct.map { ConvEpilogue(bias: nil, residual: $0, slope: nil) }, split: true)
        return m == 1 ? try! yt.reshaped([1, n]) : swapFirstTwoAxes(yt)
    }

    func sumRows(_ x: Tensor) -> Tensor {
        let (n, k) = (x.shape[0], x.shape[1])
        var y = Tensor(zeros: [k])
        let yp = y.mutablePointer(), xp = x.pointer
        for row in 0..<n { for j in 0..<k { yp[j] += xp[row * k + j] } }
        return y
    }

    func repeatRows(_ v: Tensor, count: Int) -> Tensor {
        let k = v.count
        var y = Tensor(uninitialized: [count, k])
        let yp = y.mutablePointer()
        for row in 0..<count { (yp + row * k).update(from: v.pointer, count: k) }
        return y
    }
}
