/// Loss, top-1 and speed of one task in one epoch.
public struct TaskEpochStatistics: Codable, Equatable {
    public var images = 0
    public var lossSum = 0.0
    public var correct = 0
    public var seconds = 0.0

    public init() {}

    public var loss: Double { images == 0 ? 0 : lossSum / Double(images) }
    public var top1: Double { images == 0 ? 0 : Double(correct) / Double(images) }
    public var imagesPerSecond: Double { seconds == 0 ? 0 : Double(images) / seconds }
}

/// One task's validation after an epoch: mean loss and top-1 over its val images (resized, no augmentation).
public struct TaskValidation: Codable, Equatable {
    public var images: Int
    public var loss: Double
    public var top1: Double

    public init(images: Int, loss: Double, top1: Double) {
        self.images = images
        self.loss = loss
        self.top1 = top1
    }
}

/// One epoch of training: per-task statistics; `partial` when it was cancelled or stopped before its end.
/// `validation` is nil for epochs that were not validated (`set validate K`, or a cancelled epoch); the
/// optional fields decode as nil from checkpoints written before they existed.
public struct EpochRecord: Codable, Equatable {
    public let epoch: Int
    public var tasks: [TaskEpochStatistics]
    public var partial: Bool
    public var steps: Int
    public var plannedSteps: Int
    public var validation: [TaskValidation]?
    /// The learning rate of the epoch's last step.
    public var learningRate: Float?
    /// Wall-clock seconds of the epoch, validation included.
    public var seconds: Double?

    public init(epoch: Int, tasks: [TaskEpochStatistics], partial: Bool, steps: Int, plannedSteps: Int,
                validation: [TaskValidation]? = nil, learningRate: Float? = nil, seconds: Double? = nil) {
        self.epoch = epoch
        self.tasks = tasks
        self.partial = partial
        self.steps = steps
        self.plannedSteps = plannedSteps
        self.validation = validation
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// Mean validation top-1 over tasks, then lower mean loss: the order in which `keep best` and
    /// `patience` rank epochs. Top-1 first because it is what the user reads; loss breaks ties, which
    /// small validation sets make common.
    public var validationScore: (top1: Double, loss: Double)? {
        guard let validation, !validation.isEmpty else { return nil }
        let n = Double(validation.count)
        return (validation.reduce(0) { $0 + $1.top1 } / n, validation.reduce(0) { $0 + $1.loss } / n)
    }
}

extension EpochRecord {
    /// Adds one training step's figures to its task's statistics.
    mutating func add(task: Int, loss: Double, predictions: [Int], labels: [Int], seconds: Double) {
        var stats = tasks[task]
        stats.images += labels.count
        stats.lossSum += loss * Double(labels.count)
        stats.correct += zip(predictions, labels).filter { $0 == $1 }.count
        stats.seconds += seconds
        tasks[task] = stats
    }
}
