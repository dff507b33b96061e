import Engine
import Foundation
import MTMC
import Vision

/// mtmc-bench data: load time and memory of samples/ and of a generated tree of small PNGs,
/// and augmented images/s of the batch pipeline for 64×64 inputs.
enum DataBenchmark {
    static func residentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Writes `count` 48×48 PNGs over 2 tasks × 10 classes (80 % train) under a temporary folder.
    static func makeTree(count: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-bench-\(count)").path
        if FileManager.default.fileExists(atPath: root + "/done") { return root }
        try? FileManager.default.removeItem(atPath: root)
        var rng = RandomGenerator(seed: 3)
        for i in 0..<count {
            let task = i % 2, label = (i / 2) % 10, split = (i / 20) % 5 == 0 ? "val" : "train"
            let folder = "\(root)/task\(task)/\(split)/class\(label)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var pixels = [UInt8](repeating: 0, count: 48 * 48 * 3)
            let base = UInt8(label * 25)
            for p in 0..<pixels.count { pixels[p] = base &+ UInt8(truncatingIfNeeded: rng.next() % 32) }
            try PNG.encode(RGBImage(width: 48, height: 48, pixels: pixels)).write(to: URL(fileURLWithPath: "\(folder)/\(i).png"))
        }
        FileManager.default.createFile(atPath: root + "/done", contents: nil)
        return root
    }

    static func run(threads: Int, images: Int) throws {
        Threads.count = threads
        let input = (width: 64, height: 64)
        let cacheSize = Dataset.cacheSize(forInput: input)
        print("data benchmark: \(threads) threads, input 64×64, cache \(cacheSize.width)×\(cacheSize.height)")
        var datasets: [(String, Dataset)] = []
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../samples/prints").standardized.path
        if FileManager.default.fileExists(atPath: samples) { datasets.append(("samples/prints", try Dataset.load(samples, cacheSize: cacheSize))) }
        print("generating \(images) PNGs (48×48) for the load test (not timed)…")
        let tree = try makeTree(count: images)
        datasets.append(("\(images) PNGs", try Dataset.load(tree, cacheSize: cacheSize)))
        for (name, dataset) in datasets {
            print(String(format: "load %@: %d images in %.2f s (%.0f images/s), cache %.1f MB, %d broken; peak RSS so far %.0f MB",
                         name, dataset.cache.count, dataset.loadSeconds, Double(dataset.cache.count) / dataset.loadSeconds,
                         Double(dataset.cache.bytes) / 1e6, dataset.broken.count, residentMegabytes()))
        }

        let dataset = datasets.last!.1
        var rng = RandomGenerator(seed: 1)
        let quotas = Balance().quotas(classSizes: dataset.tasks.map { $0.trainCounts.map(\.used) })
        let plan = Array(planEpoch(dataset, quotas: quotas, batchSize: 64, rng: &rng).prefix(40))
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: input, augmentation: AugmentationSettings(),
                                     normalization: .imageNet, seed: 1)
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        for index in 0..<plan.count { count += pipeline.make(index).labels.count }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "augmentation (affine + crop + flip + jitter + normalise), one thread: %.0f images/s (%d images)",
                     Double(count) / seconds, count))
    }
}
