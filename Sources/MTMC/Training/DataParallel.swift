import Engine

/// Data-parallel training over the ranks of a `World` (`mpirun -np N mtmc …`), as PyTorch's
/// DistributedDataParallel: every rank holds the whole model and plans the same epoch (same seed), trains on its
/// slice of each global batch, and the gradients are summed across ranks before every update, so every rank
/// applies the same update. The loss each rank differentiates is its share of the global batch's mean loss
/// (its slice's mean × slice / batch), so the summed gradient is that of the global batch, whatever the split.
struct DataParallel {
    let world: World
    /// Gradients and weights travel in buckets of at most this many floats (16 MB): one call per bucket rather
    /// than one per parameter, without doubling the memory of a large model's tensors.
    static let bucketFloats = 4 << 20

    /// The job this process belongs to, when it has more than one rank.
    static var current: DataParallel? { World.current.size > 1 ? DataParallel(world: .current) : nil }

    /// The positions of a global batch of `count` images that this rank trains on (contiguous, sizes differ by ≤ 1).
    func slice(_ count: Int) -> Range<Int> {
        count * world.rank / world.size ..< count * (world.rank + 1) / world.size
    }

    /// The batches of an epoch's plan that the ranks train on: those too small to give every rank two images
    /// (or, of a mixed batch, a task's rows too few for that) are dropped (as a DistributedSampler's drop_last),
    /// since a batch norm cannot train on one image.
    func trainable(_ plan: [PlannedBatch]) -> [PlannedBatch] { plan.filter { $0.parts.allSatisfy { $0.rows.count >= 2 * world.size } } }

    /// This rank's part of a global batch; of a mixed batch, this rank's slice of each task's rows.
    func local(_ batch: PlannedBatch) -> PlannedBatch {
        PlannedBatch(parts: batch.parts.map { part in
            let mine = slice(part.rows.count)
            return (part.task, Array(batch.samples[(part.rows.lowerBound + mine.lowerBound)..<(part.rows.lowerBound + mine.upperBound)]))
        })
    }

    /// The global batch's mean loss from each rank's share of it.
    func globalLoss(share: Float) -> Float {
        var total = [Double(share)]
        world.sum(&total)
        return Float(total[0])
    }

    /// The predictions of the whole global batch of `count` images, from each rank's for its slice.
    func globalPredictions(_ mine: [Int], count: Int) -> [Int] {
        var all = [Double](repeating: 0, count: count)
        for (offset, prediction) in mine.enumerated() { all[slice(count).lowerBound + offset] = Double(prediction) }
        world.sum(&all)
        return all.map { Int($0) }
    }

    /// Sums every present gradient across ranks, in buckets. Which gradients are present is the same on every
    /// rank (the same task's head, the same frozen parts), so the buckets match.
    func sumGradients(_ parameters: [NamedVariable]) {
        let present = parameters.filter { $0.variable.grad != nil }
        let sums = world.sum(present.map { $0.variable.grad! }, bucketFloats: Self.bucketFloats)
        for (entry, sum) in zip(present, sums) { entry.variable.grad = sum }
    }

    /// Makes every rank's weights and buffers rank 0's: at the start of a run (after `open`, `model` or a
    /// change of rank count) and after each epoch, so that rounding in the reductions can never drift ranks apart.
    func broadcastWeights(_ model: MultiTaskModel, _ optimizer: SGD) throws {
        guard world.size > 1 else { return }
        let tensors = model.checkpointTensors() + optimizer.state()
        let received = world.broadcast(tensors.map(\.tensor), bucketFloats: Self.bucketFloats)
        let restored = Dictionary(zip(tensors.map(\.name), received), uniquingKeysWith: { $1 })
        try model.loadCheckpointTensors(restored.filter { !$0.key.hasPrefix("momentum_buffer.") })
        try optimizer.loadState(restored.filter { $0.key.hasPrefix("momentum_buffer.") })
    }
}

/// What summing across ranks cost a run: the share of its training steps' time spent in sums (gradients,
/// batch-norm statistics, loss), and the gradient each step sends.
public struct DataParallelCost: Equatable {
    public var ranks: Int
    public var secondsSumming: Double
    public var secondsInSteps: Double
    public var gradientFloatsPerStep: Int
}
