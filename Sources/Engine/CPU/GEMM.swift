import CBLAS

/// C = alpha · op(A) · op(B) + beta · C on row-major matrices, where op(A) is M×K and op(B) is K×N.
/// `transA`/`transB` say whether A is stored K×M / B is stored N×K. The leading dimensions default to
/// dense storage; larger ones address a block of columns inside a wider matrix.
func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
          beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    guard m > 0, n > 0 else { return }
    let ldc = ldc ?? n
    if k == 0 {
        if beta == 0 { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda ?? (transA ? m : k)),
                b, Int32(ldb ?? (transB ? k : n)),
                beta, c, Int32(ldc))
}
