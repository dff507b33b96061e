/// Runs `body(range)` over `0..<count` split into contiguous chunks, one per thread of the resources in use
/// (`HostResources.inUse`), which the chunks run in. Chunks never overlap, so bodies that write disjoint
/// index ranges need no locks.
func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let resources = HostResources.inUse
    let chunks = min(resources.threads, max(1, count / max(1, minimumPerChunk)))
    if chunks <= 1 || count < 2 {
        body(0..<count)
        return
    }
    resources.workers.run(chunks: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        resources.run { body(start..<end) }
    }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over the engine's threads.
func parallelFor(_ count: Int, minimumPerChunk: Int = 1, _ body: (Int) -> Void) {
    parallelChunks(count, minimumPerChunk: minimumPerChunk) { range in
        for i in range { body(i) }
    }
}

/// `parallelFor` over items of about `elementsPerItem` elements of work each: other threads get items only
/// in chunks of at least `perChunk` elements (`CPUBackend.elementwiseChunk` unless given), so the loops of a
/// small tensor (one image's layers) stay on the calling thread, where a hand-off would cost more than the work.
func parallelFor(_ count: Int, elementsPerItem: Int, perChunk: Int = CPUBackend.elementwiseChunk, _ body: (Int) -> Void) {
    parallelFor(count, minimumPerChunk: max(1, perChunk / max(1, elementsPerItem)), body)
}
