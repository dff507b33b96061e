import Engine

/// The rows of a batch that belong to one task.
public struct TaskRows: Equatable {
    public let task: Int
    public let rows: Range<Int>

    public init(task: Int, rows: Range<Int>) {
        self.task = task
        self.rows = rows
    }
}

/// One training step's worth of samples: from one task, or (a mixed batch) from several, each task's
/// samples one run of rows.
public struct PlannedBatch: Equatable {
    public let samples: [Sample]
    /// Every task's rows, in order, covering the samples.
    public let parts: [TaskRows]

    public init(task: Int, samples: [Sample]) {
        self.samples = samples
        parts = [TaskRows(task: task, rows: 0..<samples.count)]
    }

    /// A mixed batch: each task's samples after the previous task's.
    public init(parts: [(task: Int, samples: [Sample])]) {
        samples = parts.flatMap(\.samples)
        var start = 0
        self.parts = parts.map { part in
            defer { start += part.samples.count }
            return TaskRows(task: part.task, rows: start..<(start + part.samples.count))
        }
    }

    /// The task of a single-task batch (the first task of a mixed one).
    public var task: Int { parts[0].task }
    public var isMixed: Bool { parts.count > 1 }
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

/// A whole training epoch: each task's balanced draw, shuffled (or arranged chunk by chunk) and batched, in coordinator
/// order; with `mixTasks`, every batch holds a share of every task's draw instead (`mixedBatches`).
public func planEpoch(_ dataset: Dataset, quotas: [[Int]], batchSize: Int, order: EpochOrder = .shuffle, mixTasks: Bool = false,
                      rng: inout RandomGenerator) -> [PlannedBatch] {
    var drawn: [[Sample]] = []
    for (t, task) in dataset.tasks.enumerated() {
        var byClass = [[Sample]](repeating: [], count: task.classes.count)
        for sample in task.train { byClass[sample.label].append(sample) }
        var samples: [Sample] = []
        for (c, items) in byClass.enumerated() { samples += Balance.draw(items, quota: quotas[t][c], rng: &rng) }
        drawn.append(order.arrange(samples, cache: dataset.cache.order, rng: &rng))
    }
    if mixTasks && drawn.count > 1 { return mixedBatches(drawn, batchSize: batchSize) }
    let perTask = drawn.map { batches($0, batchSize: batchSize) }
    var next = [Int](repeating: 0, count: perTask.count)
    return coordinatorSequence(batchesPerTask: perTask.map(\.count), rng: &rng).map { t in
        defer { next[t] += 1 }
        return PlannedBatch(task: t, samples: perTask[t][next[t]])
    }
}

/// Batches that each hold about `batchSize` samples, every task's share of them in proportion to its draw, so
/// the backbone's batch statistics describe the same mixture of tasks in every step, as they do when evaluation
/// runs every task's images through one set of running statistics. A task takes at least two samples where it
/// appears (its head's batch norm cannot train on one), so a task with few samples sits in fewer batches.
public func mixedBatches(_ drawn: [[Sample]], batchSize: Int) -> [PlannedBatch] {
    let total = drawn.reduce(0) { $0 + $1.count }
    let count = max(1, (total + batchSize - 1) / batchSize)
    var parts = [[(task: Int, samples: [Sample])]](repeating: [], count: count)
    for (t, samples) in drawn.enumerated() where !samples.isEmpty {
        let used = max(1, min(count, samples.count / 2))
        for b in 0..<used {
            let range = samples.count * b / used ..< samples.count * (b + 1) / used
            parts[b * count / used].append((t, Array(samples[range])))
        }
    }
    return parts.filter { !$0.isEmpty }.map { PlannedBatch(parts: $0) }
}
