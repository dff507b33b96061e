import Engine
import Foundation
import MTMC
import Vision

/// mtmc-bench data: load time and memory of a generated tree, and the data pipeline's images/s
/// (decode + resize + augment + normalise) against Pillow and a PyTorch DataLoader doing the same.
enum DataBenchmark {
    /// Writes `count` side×side images (JPEG or PNG) over 2 tasks × 10 classes (80 % train) under a
    /// temporary folder, once: later runs reuse it. Each class has its own colour, with noise.
    static func makeTree(count: Int, side: Int = 48, jpeg: Bool = false) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-bench-\(count)-\(side)\(jpeg ? "-jpeg" : "")").path
        if FileManager.default.fileExists(atPath: root + "/done") { return root }
        try? FileManager.default.removeItem(atPath: root)
        var rng = RandomGenerator(seed: 3)
        for i in 0..<count {
            let task = i % 2, label = (i / 2) % 10, split = (i / 20) % 5 == 0 ? "val" : "train"
            let folder = "\(root)/task\(task)/\(split)/class\(label)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var pixels = [UInt8](repeating: 0, count: side * side * 3)
            let base = UInt8(label * 25)
            for p in 0..<pixels.count { pixels[p] = base &+ UInt8(truncatingIfNeeded: rng.next() % 32) }
            let image = RGBImage(width: side, height: side, pixels: pixels)
            let data = jpeg ? try JPEG.encode(image) : try PNG.encode(image)
            try data.write(to: URL(fileURLWithPath: "\(folder)/\(i).\(jpeg ? "jpg" : "png")"))
        }
        FileManager.default.createFile(atPath: root + "/done", contents: nil)
        return root
    }

    /// Load time and memory of a tree of small PNGs (mtmc-bench data).
    static func runLoad(threads: Int, images: Int) throws {
        let cacheSize = Dataset.cacheSize(forInput: (64, 64))
        print("generating \(images) PNGs (48×48) for the load test (not timed)…")
        let dataset = try Dataset.load(try makeTree(count: images), cacheSize: cacheSize)
        print(String(format: "load %d PNGs on %d threads: %.2f s (%.0f images/s), cache %.1f MB (%d×%d), %d broken; peak RSS %.0f MB",
                     dataset.cache.count, threads, dataset.loadSeconds, Double(dataset.cache.count) / dataset.loadSeconds,
                     Double(dataset.cache.bytes) / 1e6, cacheSize.width, cacheSize.height, dataset.broken.count,
                     peakResidentMegabytes()))
    }

    /// Images/s of mtmc's whole data path over every image of a JPEG tree: `load` (parallel decode and
    /// resize into the cache), then one augmented, normalised 64×64 view of every image, batches made
    /// on `threads` threads. The figure counts both phases' time.
    static func pipelineImagesPerSecond(tree: String, threads: Int) throws -> (rate: Double, images: Int, loadSeconds: Double) {
        let input = (width: 64, height: 64)
        let start = EngineBenchmark.now()
        let dataset = try Dataset.load(tree, cacheSize: Dataset.cacheSize(forInput: input))
        // Every image once, train and val, in batches of 64 (the pipeline also prefetches batch 0 once more).
        let plan = dataset.tasks.enumerated().flatMap { t, task in
            let samples = task.train + task.val
            return stride(from: 0, to: samples.count, by: 64).map { PlannedBatch(task: t, samples: Array(samples[$0..<min($0 + 64, samples.count)])) }
        }
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: input, augmentation: AugmentationSettings(),
                                     normalization: .imageNet, seed: 1)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: plan.count, by: threads) { _ = pipeline.make(index) }
        }
        let images = plan.reduce(0) { $0 + $1.samples.count }
        return (Double(images) / (EngineBenchmark.now() - start), images, dataset.loadSeconds)
    }
}
