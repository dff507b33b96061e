import Dispatch
import Engine
import Vision

/// A batch ready for a step: images [B, 3, H, W] normalised, and class labels; `parts` says which rows are
/// whose task (one part unless the batch mixes tasks).
public struct Batch {
    public let parts: [TaskRows]
    public let images: Tensor
    public let labels: [Int]
    public let samples: [Sample]

    /// The task of a single-task batch (the first task of a mixed one).
    public var task: Int { parts[0].task }

    /// The same batch with its images on their way to `device` (`Tensor.prefetched`).
    func prefetched(to device: Device) -> Batch {
        Batch(parts: parts, images: images.prefetched(to: device), labels: labels, samples: samples)
    }
}

/// Makes batches from the image cache (augmented for training, resized for evaluation) one step
/// ahead on a background thread, so preparing batch i + 1 overlaps training on batch i; the images of
/// batches up to i + `readAhead` are asked of the disk meanwhile (across chunk boundaries), so a disk
/// cache's reads overlap both and many are in flight at once (each image's bytes, or with `wholeChunks` the whole
/// chunks they lie in, for an epoch planned chunk by chunk). A batch's images
/// are read, decoded and augmented on `threads` threads. Each image's augmentation draws from its own
/// generator, so results do not depend on timing or threads.
public final class BatchPipeline {
    private let plan: [PlannedBatch]
    private let cache: ImageCache
    private let inputSize: (width: Int, height: Int)
    private let augmentation: AugmentationSettings?
    private let normalization: Normalization
    private let seed: UInt64
    private let threads: Int
    private let wholeChunks: Bool
    private let queue = DispatchQueue(label: "mtmc.batch-pipeline")
    /// The engine context's resources of the code that made the pipeline: its batches are made in them.
    private let host = HostResources.inUse
    /// Batches ahead of the one being made whose images a disk cache is asked to read.
    static let readAhead = 4
    private var pending: (index: Int, group: DispatchGroup, result: Box)?
    private var nextIndex = 0

    private final class Box { var batch: Batch? }

    /// `augmentation` nil means the evaluation view (resize and normalise only).
    public init(plan: [PlannedBatch], cache: ImageCache, inputSize: (width: Int, height: Int),
                augmentation: AugmentationSettings?, normalization: Normalization, seed: UInt64, threads: Int = HostResources.inUse.threads,
                wholeChunks: Bool = false) {
        self.plan = plan
        self.cache = cache
        self.inputSize = inputSize
        self.augmentation = augmentation
        self.normalization = normalization
        self.seed = seed
        self.threads = threads
        self.wholeChunks = wholeChunks
        for index in 0..<min(plan.count, BatchPipeline.readAhead) { prefetch(index) }
        prepare(0)
    }

    /// Number of batches in the plan.
    public var count: Int { plan.count }

    /// The next batch (waiting for it if it is still being made), or nil at the end of the plan.
    public func next() -> Batch? {
        guard let (index, group, box) = pending, index == nextIndex else { return nil }
        group.wait()
        nextIndex += 1
        prepare(nextIndex)
        return box.batch
    }

    /// Asks the cache to read batch `index`'s images ahead (their chunks whole under a chunk-by-chunk epoch).
    private func prefetch(_ index: Int) {
        cache.prefetch(plan[index].samples.map(\.image), wholeChunks: wholeChunks)
    }

    private func prepare(_ index: Int) {
        guard index < plan.count else { pending = nil; return }
        let group = DispatchGroup(), box = Box()
        pending = (index, group, box)
        queue.async(group: group) { [self] in
            if index + BatchPipeline.readAhead < plan.count { prefetch(index + BatchPipeline.readAhead) }
            box.batch = host.run { make(index) }
        }
    }

    /// Builds batch `index` of the plan.
    public func make(_ index: Int) -> Batch {
        let planned = plan[index]
        let (w, h) = inputSize
        let images = Tensor(items: planned.samples.count, shape: [3, h, w], threads: threads) { position, item in
            write(planned.samples[position], batch: index, position: position, into: item)
        }
        return Batch(parts: planned.parts, images: images, labels: planned.samples.map(\.label), samples: planned.samples)
    }

    /// One image of a batch, augmented (from its own generator) or resized, normalised into `item`, its place in the batch.
    private func write(_ sample: Sample, batch index: Int, position: Int, into item: UnsafeMutableBufferPointer<Float>) {
        let (w, h) = inputSize
        let image = cache.image(sample.image)
        if let augmentation {
            var rng = RandomGenerator.derived(seed: seed, index, position)
            writeAugmented(image, width: w, height: h, settings: augmentation, normalization: normalization, rng: &rng, into: item.baseAddress!)
        } else {
            writeValidation(image, width: w, height: h, normalization: normalization, into: item.baseAddress!)
        }
    }
}
