import Vision

/// One `load` in progress: the decoding, and the caller's cancellation and progress callbacks.
struct LoadJob {
    let root: String
    /// The scanned tree: what a disk cache's manifest records.
    let tree: DatasetTree
    let decode: ParallelDecode
    /// The cache's storage order and chunks, the same in every mode.
    let order: CacheOrder
    let isCancelled: () -> Bool
    let progress: (Int, Int) -> Void

    /// Images decoded between polls of `isCancelled` in memory and none modes.
    static let pollEvery = 256

    var total: Int { decode.files.count }

    /// The cancellation error after `done` images; `kept` says what survives.
    func cancelled(after done: Int, kept: String = "nothing was loaded") -> DatasetError {
        DatasetError("load of \(root) cancelled after \(done) of \(total) images; \(kept)")
    }

    /// Every image decoded into an in-memory cache.
    func loadIntoMemory() throws -> (ImageCache, [ImageError?]) {
        let cache = ImageCache(width: decode.width, height: decode.height, count: total, order: order)
        let failures = try decodeAll { index, image in cache.store(image, at: index) }
        return (cache, failures)
    }

    /// Every image decoded once to find the broken ones, then dropped: reads decode the files again.
    func validateOnly() throws -> (ImageCache, [ImageError?]) {
        let failures = try decodeAll { _, _ in }
        return (noneCache(), failures)
    }

    /// A cache that decodes from the original files on every read.
    func noneCache() -> ImageCache {
        ImageCache(width: decode.width, height: decode.height, count: total, order: order, storage: .none(files: decode.files, decoder: decode.decoder))
    }

    /// Decodes every file a range at a time, polling cancellation between ranges; returns each file's error, if any.
    func decodeAll(_ keep: (Int, RGBImage) -> Void) throws -> [ImageError?] {
        var failures: [ImageError?] = []
        failures.reserveCapacity(total)
        for first in stride(from: 0, to: total, by: LoadJob.pollEvery) {
            if isCancelled() { throw cancelled(after: first) }
            let results = decode.decode(Array(first..<min(total, first + LoadJob.pollEvery)), keep)
            failures += results.map { if case .failure(let error) = $0 { return error } else { return nil } }
            progress(failures.count, total)
        }
        return failures
    }
}
