/// Column-major single-precision GEMM on device memory, exactly as cuBLAS's cublasSgemm_v2 defines it:
/// C = alpha·op(A)·op(B) + beta·C with op(A) m×k and op(B) k×n, each matrix column-major with its
/// leading dimension. When the runtime has one, the CUDA backend's GEMMs go through it instead of the
/// tiled kernel in gemm.cu.
protocol DeviceBLAS: AnyObject {
    /// Lines for `info`.
    var summary: String { get }
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: DeviceAddress, lda: Int,
               b: DeviceAddress, ldb: Int, beta: Float, c: DeviceAddress, ldc: Int)
}

/// cuBLAS (libcublas.so.13, opened with dlopen from the loader's path or pip's site-packages/nvidia/cu13/lib;
/// $MTMC_CUBLAS overrides the path, `off` disables it),
/// on the default stream the kernels run on, in FP32 (cuBLAS's default math: no TF32).
final class CUBLAS: DeviceBLAS {
    /// Alpha and beta are host pointers; A, B and C device addresses (C's `float *`, 64 bits passed as an integer).
    private typealias Sgemm = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>,
                                              UInt64, Int32, UInt64, Int32, UnsafePointer<Float>, UInt64, Int32) -> Int32
    private let handle: OpaquePointer?
    private let gemm: Sgemm
    let summary: String

    /// Opens cuBLAS and creates a handle on the current context; nil (with the reason) when it cannot.
    static func open() -> Result<CUBLAS, EngineError> {
        SharedLibrary.open(["libcublas.so.13"], environment: "MTMC_CUBLAS", pipPackages: ["cu13", "cublas"]).flatMap { library in
            Result { try CUBLAS(library) }.mapError { $0 as? EngineError ?? EngineError("\($0)") }
        }
    }

    private init(_ library: SharedLibrary) throws {
        let create = try library.function("cublasCreate_v2", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32).self)
        var h: OpaquePointer?
        let status = create(&h)
        guard status == 0 else { throw EngineError("cuBLAS: cublasCreate failed (status \(status))") }
        handle = h
        gemm = try library.function("cublasSgemm_v2", as: Sgemm.self)
        let version = try library.function("cublasGetVersion_v2", as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> Int32).self)
        var v: Int32 = 0
        _ = version(h, &v)
        summary = "cuBLAS \(v / 10000).\(v % 10000 / 100).\(v % 100) (\(library.path)): GEMM and convolution products, FP32"
    }

    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: DeviceAddress, lda: Int,
               b: DeviceAddress, ldb: Int, beta: Float, c: DeviceAddress, ldc: Int) {
        var (alpha, beta) = (alpha, beta)
        let status = gemm(handle, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), &alpha, a.bits, Int32(lda),
                          b.bits, Int32(ldb), &beta, c.bits, Int32(ldc))
        if status != 0 { fatalError("cuBLAS: cublasSgemm failed (status \(status)) for m \(m) n \(n) k \(k)") }
    }
}
