import CBLAS
import Engine
import Foundation

/// The machine's sgemm ceiling as this run measures it: the best of three 2048³ products on `threads` of
/// OpenBLAS's own threads, in GFLOP/s. Training figures are reported as a share of it.
func measureSgemmCeiling(threads: Int) -> Double {
    // The engine keeps OpenBLAS on one thread (it cuts products across its own); the ceiling is OpenBLAS's best.
    openblas_set_num_threads(Int32(threads))
    defer { openblas_set_num_threads(1) }
    let n = 2048
    let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    var best = Double.infinity
    for _ in 0..<3 {
        let start = EngineBenchmark.now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        best = min(best, EngineBenchmark.now() - start)
    }
    return 2 * Double(n * n * n) / best / 1e9
}
