import Engine
import Foundation
import MTMC
import Vision

/// mtmc-bench cache: per cache mode on one JPEG tree, the cache build time, a second load's time, the
/// size on disk beside the source JPEGs, the pipeline's images/s over one augmented training epoch
/// (batches taken with `next()`, as training takes them) and the resident memory after it; then a
/// PyTorch DataLoader with 2 workers doing the same decode, resize and augmentation on the same folder.
enum CacheBenchmark {
    static func run(tree: String, input: Int, threads: Int, modes: [(CacheMode, CacheFormat)], folder: String, torch: Bool, images: Int?,
                    orders: [EpochOrder] = [.shuffle]) throws {
        let cacheSize = Dataset.cacheSize(forInput: (input, input))
        for (mode, format) in modes {
            var options = CacheOptions(mode: mode, folder: folder, format: format)
            if mode == .disk { unlink(options.filePath(root: tree, width: cacheSize.width, height: cacheSize.height)) }
            let first = try Dataset.load(tree, cacheSize: cacheSize, cache: options)
            let name = mode == .disk ? "disk \(format.rawValue)" : mode.rawValue
            var line = String(format: "%@: load %.1f s", name, first.loadSeconds)
            if mode == .disk {
                options.mode = .disk
                let again = try Dataset.load(tree, cacheSize: cacheSize, cache: options)
                let source = first.files.reduce(0) { total, path in
                    var info = stat()
                    return total + (stat(path, &info) == 0 ? Int(info.st_size) : 0)
                }
                line += String(format: " (cache build), second load %.2f s, %@ on disk = %.2f× the %@ of source JPEGs", again.loadSeconds,
                               byteCount(again.cache.diskBytes), Double(again.cache.diskBytes) / Double(source), byteCount(source))
            }
            for order in orders {
                if mode == .disk {
                    // A fresh load per order: its chunks' checksums are checked on first read again, as in a new session.
                    let fresh = try Dataset.load(tree, cacheSize: cacheSize, cache: options)
                    fresh.cache.evictFromPageCache()
                    let cold = epochImagesPerSecond(fresh, input: input, threads: threads, images: images, order: order)
                    line += String(format: "; order %@: pipeline from a cold page cache %.0f img/s", order.rawValue, cold)
                }
                let rate = epochImagesPerSecond(first, input: input, threads: threads, images: images, order: order)
                line += String(format: "; order %@: pipeline %.0f img/s", order.rawValue, rate)
            }
            line += String(format: "; cache resident %@; process %@", byteCount(first.cache.residentBytes), residentMemory())
            print(line)
        }
        let limit = images.map { ["--limit", "\($0)"] } ?? []
        if torch, let peer = PyTorchReference.run("bench/data_bench.py", [tree, "--size", "\(input)", "--workers", "2"] + limit),
           let rate = peer["images_per_second"] as? Double {
            print(String(format: "PyTorch DataLoader (2 workers, PIL decode + resize + affine + flip + jitter): %.0f img/s", rate))
        }
    }

    /// Images/s of one augmented epoch over every training image, in planned batches of 64; with `images`,
    /// of the epoch's first batches up to that many images (still drawn from the whole dataset, in `order`).
    static func epochImagesPerSecond(_ dataset: Dataset, input: Int, threads: Int, images limit: Int?, order: EpochOrder = .shuffle) -> Double {
        var rng = RandomGenerator(seed: 1)
        let quotas = dataset.tasks.map { task in task.classes.indices.map { c in task.train.filter { $0.label == c }.count } }
        var plan = planEpoch(dataset, quotas: quotas, batchSize: 64, order: order, rng: &rng)
        if let limit { plan = Array(plan.prefix((limit + 63) / 64)) }
        let start = EngineBenchmark.now()
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (input, input), augmentation: AugmentationSettings(),
                                     normalization: .imageNet, seed: 1, threads: threads, wholeChunks: order == .chunks)
        var images = 0
        while let batch = pipeline.next() { images += batch.samples.count }
        return Double(images) / (EngineBenchmark.now() - start)
    }

    /// VmRSS, and its anonymous and file-backed parts, from /proc/self/status.
    static func residentMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "?" }
        func field(_ name: String) -> String {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            let kilobytes = line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            return byteCount(kilobytes * 1024)
        }
        return "RSS \(field("VmRSS")) (anonymous \(field("RssAnon")), file \(field("RssFile"))), peak \(field("VmHWM"))"
    }
}
