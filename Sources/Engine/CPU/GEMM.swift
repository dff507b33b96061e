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
    let p = Product(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda ?? (transA ? m : k),
                    b: b, ldb: ldb ?? (transB ? k : n), beta: beta, c: c, ldc: ldc)
    let resources = HostResources.inUse
    if !(p.isWorthSplitting && resources.threads > 1 && p.split(parts: resources.threads, on: resources.workers)) { p.run() }
}

/// One sgemm call's arguments (leading dimensions resolved).
struct Product {
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int

    /// Below this (about 10 µs of work on one core) handing a part to a second thread costs about as much
    /// as it saves.
    static let splitMinimum = 1 << 20

    /// Whether cutting the product across the engine's threads pays (`gemm` then does).
    var isWorthSplitting: Bool { m * n * k >= Self.splitMinimum }

    func run() {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The rows `rows` of C: the same product with A's rows (op(A)'s) cut to them.
    func rows(_ rows: Range<Int>) -> Product {
        Product(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha, a: a + (transA ? rows.lowerBound : rows.lowerBound * lda),
                lda: lda, b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
    }

    /// The columns `columns` of C: the same product with op(B)'s columns cut to them.
    func columns(_ columns: Range<Int>) -> Product {
        Product(transA: transA, transB: transB, m: m, n: columns.count, k: k, alpha: alpha, a: a, lda: lda,
                b: b + (transB ? columns.lowerBound * ldb : columns.lowerBound), ldb: ldb, beta: beta, c: c + columns.lowerBound, ldc: ldc)
    }

    /// Runs the product as `parts` single-threaded sgemm calls on `workers` and the caller, each on its own
    /// block of C, cut along the longer of M and N (each part packs all of the other operand, so that
    /// one should be the smaller). False, with nothing done, when the product is too narrow to cut or the
    /// engine's threads are busy with another loop.
    func split(parts: Int, on workers: WorkerPool) -> Bool {
        let alongColumns = n >= m, length = alongColumns ? n : m
        // Blocks in multiples of 16, the sgemm kernels' widest register tile.
        let block = ((length + parts - 1) / parts + 15) / 16 * 16
        let used = (length + block - 1) / block
        guard used > 1 else { return false }
        // Inside another parallel loop the parts would run one after the other, each packing the other operand
        // again: then the product runs whole instead.
        return workers.runOnWorkers(chunks: used) { part in
            let range = part * block..<min(length, (part + 1) * block)
            (alongColumns ? columns(range) : rows(range)).run()
        }
    }
}
