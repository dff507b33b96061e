import CBLAS
import Engine
import Foundation

/// The machine's sgemm ceiling as this run measures it: the best of three 2048³ products on the
/// engine's threads, in GFLOP/s. Training figures are reported as a share of it.
func measureSgemmCeiling(threads: Int) -> Double {
    Threads.count = threads
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
