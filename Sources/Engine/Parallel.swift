import CBLAS
import Dispatch
import Synchronization

/// The one thread-count setting of the engine: OpenBLAS threads and the engine's own parallel loops.
public enum Threads {
    nonisolated(unsafe) private static var current = max(1, openblasThreads())

    private static func openblasThreads() -> Int { Int(openblas_get_num_threads()) }

    /// Number of threads used by sgemm and the engine's parallel loops.
    public static var count: Int {
        get { current }
        set {
            current = max(1, newValue)
            openblas_set_num_threads(Int32(current))
        }
    }

    /// Whether a `withSingleThreadedBLAS` region is running.
    private static let singleThreadedBLAS = Atomic<Bool>(false)

    /// Runs `body` with OpenBLAS on one thread, so that the engine's threads can each run an sgemm of
    /// their own without OpenBLAS's workers taking the same cores; then restores `count` threads. The
    /// setting is the process's: false, without running `body`, when another region holds it. A product
    /// called meanwhile from elsewhere only runs on fewer threads.
    static func withSingleThreadedBLAS(_ body: () -> Void) -> Bool {
        guard singleThreadedBLAS.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(Int32(current))
        singleThreadedBLAS.store(false, ordering: .releasing)
        return true
    }
}

/// Runs `body(range)` over `0..<count` split into contiguous chunks, one per thread.
/// Chunks never overlap, so bodies that write disjoint index ranges need no locks.
func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = min(Threads.count, max(1, count / max(1, minimumPerChunk)))
    if chunks <= 1 || count < 2 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        body(start..<end)
    }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over the engine's threads.
func parallelFor(_ count: Int, minimumPerChunk: Int = 1, _ body: (Int) -> Void) {
    parallelChunks(count, minimumPerChunk: minimumPerChunk) { range in
        for i in range { body(i) }
    }
}

/// `parallelFor` over items of about `elementsPerItem` elements of work each: other threads get items only
/// in chunks of at least `CPUBackend.elementwiseChunk` elements, so the loops of a small tensor (one
/// image's layers) stay on the calling thread, where a hand-off would cost more than the work.
func parallelFor(_ count: Int, elementsPerItem: Int, _ body: (Int) -> Void) {
    parallelFor(count, minimumPerChunk: max(1, CPUBackend.elementwiseChunk / max(1, elementsPerItem)), body)
}
