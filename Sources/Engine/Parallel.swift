import CBLAS

/// The one thread-count setting of the engine: its own parallel loops and matrix products.
public enum Threads {
    nonisolated(unsafe) private static var current = max(1, openblasThreads())
    /// The engine's worker threads: `current - 1` of them beside the calling thread.
    nonisolated(unsafe) private(set) static var pool = makePool(threads: current)

    private static func openblasThreads() -> Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS itself stays on one thread: `gemm` cuts large products across the engine's workers, so
    /// that only one set of threads ever runs (OpenBLAS's threads and the engine's never take the same
    /// cores, and never wait for each other by spinning).
    private static func makePool(threads: Int) -> WorkerPool {
        openblas_set_num_threads(1)
        return WorkerPool(workers: threads - 1)
    }

    /// Number of threads used by the engine's parallel loops and matrix products.
    public static var count: Int {
        get { current }
        set {
            let threads = max(1, newValue)
            guard threads != current || pool.workers != threads - 1 else { return }
            current = threads
            pool.stop()
            pool = makePool(threads: threads)
        }
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
    Threads.pool.run(chunks: chunks) { chunk in
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
