/// Follows validation through one `train` run: the best epoch overall (what `keep best` restores), the
/// best per task (the run's summary), and whether `patience` epochs have passed without a better one.
public struct ValidationTracker {
    public struct Best: Equatable {
        public let epoch: Int
        public let top1: Double
        public let loss: Double

        public init(epoch: Int, top1: Double, loss: Double) {
            self.epoch = epoch
            self.top1 = top1
            self.loss = loss
        }
    }

    /// Epochs without a better validation after which the run stops; 0 never stops.
    public let patience: Int
    public private(set) var best: Best?
    public private(set) var bestPerTask: [Best?]
    /// The last epoch validated.
    public private(set) var lastValidated: Int?

    public init(tasks: Int, patience: Int) {
        self.patience = patience
        bestPerTask = Array(repeating: nil, count: tasks)
    }

    /// Takes in a validated epoch; returns true when it is the best of the run so far (higher mean top-1,
    /// then lower mean loss). Records without validation are ignored.
    @discardableResult
    public mutating func observe(_ record: EpochRecord) -> Bool {
        guard let score = record.validationScore, let validation = record.validation else { return false }
        lastValidated = record.epoch
        for (t, v) in validation.enumerated() where t < bestPerTask.count && v.images > 0 {
            if Self.isBetter(top1: v.top1, loss: v.loss, than: bestPerTask[t]) { bestPerTask[t] = Best(epoch: record.epoch, top1: v.top1, loss: v.loss) }
        }
        guard Self.isBetter(top1: score.top1, loss: score.loss, than: best) else { return false }
        best = Best(epoch: record.epoch, top1: score.top1, loss: score.loss)
        return true
    }

    /// True when the last validated epoch came `patience` or more epochs after the best.
    public var shouldStop: Bool {
        guard patience > 0, let best, let lastValidated else { return false }
        return lastValidated - best.epoch >= patience
    }

    static func isBetter(top1: Double, loss: Double, than best: Best?) -> Bool {
        guard let best else { return true }
        return top1 > best.top1 || (top1 == best.top1 && loss < best.loss)
    }
}

/// What a `train` run did beyond its epochs: the best validated epochs, and whether `keep best` restored
/// one or `patience` stopped the run.
public struct RunSummary: Equatable {
    public var bestPerTask: [ValidationTracker.Best?] = []
    public var best: ValidationTracker.Best?
    /// The epoch whose weights `keep best` restored, when it restored any (not when the best was the last).
    public var restoredEpoch: Int?
    /// `keep best` was on and the best validated epoch was the run's last: nothing to restore.
    public var bestWasLast = false
    /// The epoch after which `patience` stopped the run.
    public var stoppedAfter: Int?
    /// In a data-parallel job: what the ranks' sums cost in the run's training steps.
    public var dataParallel: DataParallelCost?

    public init() {}
}
