import CBLAS

/// C = alpha · op(A) · op(B) + beta · C on row-major matrices, where op(A) is M×K and op(B) is K×N.
/// `transA`/`transB` say whether A is stored K×M / B is stored N×K.
func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
          beta: Float = 0, c: UnsafeMutablePointer<Float>) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if beta == 0 { c.update(repeating: 0, count: m * n) }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(transA ? m : k),
                b, Int32(transB ? k : n),
                beta, c, Int32(n))
}
