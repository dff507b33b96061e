import Engine

/// One training step's worth of samples from one task.
public struct PlannedBatch: Equatable {
    public let task: Int
    public let samples: [Sample]

    public init(task: Int, samples: [Sample]) {
        self.task = task
        self.samples = samples
    }
}

/// The order of an epoch's steps (DESIGN.md §2): a shuffle of the task ids, each repeated as many
/// times as that task has batches, so tasks interleave through the epoch.
public func coordinatorSequence(batchesPerTask: [Int], rng: inout RandomGenerator) -> [Int] {
    var sequence = batchesPerTask.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
    rng.shuffle(&sequence)
    return sequence
}

/// Splits shuffled samples into batches of `batchSize`; a last batch of one sample joins the one
/// before it, since batch norm cannot train on a single sample.
public func batches(_ samples: [Sample], batchSize: Int) -> [[Sample]] {
    var result = stride(from: 0, to: samples.count, by: batchSize).map { Array(samples[$0..<min($0 + batchSize, samples.count)]) }
    if result.count > 1, result.last!.count == 1 {
        let last = result.removeLast()
        result[result.count - 1] += last
    }
    return result
}

/// A whole training epoch: each task's balanced draw, shuffled (or arranged chunk by chunk) and batched, in coordinator order.
public func planEpoch(_ dataset: Dataset, quotas: [[Int]], batchSize: Int, order: EpochOrder = .shuffle,
                      rng: inout RandomGenerator) -> [PlannedBatch] {
    var perTask: [[[Sample]]] = []
    for (t, task) in dataset.tasks.enumerated() {
        var byClass = [[Sample]](repeating: [], count: task.classes.count)
        for sample in task.train { byClass[sample.label].append(sample) }
        var drawn: [Sample] = []
        for (c, items) in byClass.enumerated() { drawn += Balance.draw(items, quota: quotas[t][c], rng: &rng) }
        perTask.append(batches(order.arrange(drawn, cache: dataset.cache.order, rng: &rng), batchSize: batchSize))
    }
    var next = [Int](repeating: 0, count: perTask.count)
    return coordinatorSequence(batchesPerTask: perTask.map(\.count), rng: &rng).map { t in
        defer { next[t] += 1 }
        return PlannedBatch(task: t, samples: perTask[t][next[t]])
    }
}
