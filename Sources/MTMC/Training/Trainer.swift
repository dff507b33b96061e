import Dispatch
import Engine
import Foundation
import Vision

/// Loss, top-1 and speed of one task in one epoch.
public struct TaskEpochStatistics: Codable, Equatable {
    public var images = 0
    public var lossSum = 0.0
    public var correct = 0
    public var seconds = 0.0

    public var loss: Double { images == 0 ? 0 : lossSum / Double(images) }
    public var top1: Double { images == 0 ? 0 : Double(correct) / Double(images) }
    public var imagesPerSecond: Double { seconds == 0 ? 0 : Double(images) / seconds }
}

/// One epoch of training: per-task statistics; `partial` when it was cancelled or stopped before its end.
public struct EpochRecord: Codable, Equatable {
    public let epoch: Int
    public var tasks: [TaskEpochStatistics]
    public var partial: Bool
    public var steps: Int
    public var plannedSteps: Int
}

/// What the trainer reports after every step, for a progress display.
public struct TrainingProgress {
    public let epoch: Int
    public let task: Int
    public let step: Int
    public let steps: Int
    public let loss: Double
    public let imagesPerSecond: Double
    public let secondsRemaining: Double
}

/// Trains a multi-task model (DESIGN.md §2): balanced draws, the coordinator's task order, augmentation
/// in a background pipeline, SGD with the settings' schedule, and adaptive balance every K epochs.
/// Holds the optimizer so momentum carries across `train` calls and into checkpoints.
public final class Trainer {
    public let model: MultiTaskModel
    public let optimizer: SGD
    public var settings: TrainingSettings
    public var balance = Balance()
    public var normalization: Normalization = .imageNet
    /// Epochs fully completed; a cancelled epoch is recorded in `history` as partial and not counted.
    public private(set) var epochsCompleted = 0
    public private(set) var history: [EpochRecord] = []

    public init(model: MultiTaskModel, settings: TrainingSettings) {
        self.model = model
        self.settings = settings
        optimizer = SGD(parameters: model.namedParameters(), learningRate: settings.learningRate, momentum: settings.momentum,
                        nesterov: settings.nesterov, weightDecay: settings.weightDecay, exemptBiasAndNormFromDecay: settings.noBiasDecay)
    }

    /// Restores counters from a checkpoint.
    public func restore(epochsCompleted: Int, history: [EpochRecord]) {
        self.epochsCompleted = epochsCompleted
        self.history = history
    }

    /// Why training stopped early, if it did.
    public enum Stop: Equatable {
        case cancelled
        case nonFinite(String)
    }

    /// Trains `epochs` epochs. Returns the records of this call and why it stopped early, if so. Cancelling
    /// (polled between steps) leaves weights, optimizer and counters consistent. A non-finite loss,
    /// gradient or updated weight (checked at every step, the epoch's last included) restores the
    /// weights, running statistics and optimizer state of the epoch's start, and stops.
    public func train(epochs: Int, on dataset: Dataset, isCancelled: () -> Bool = { false },
                      progress: (TrainingProgress) -> Void = { _ in }) throws -> (records: [EpochRecord], stop: Stop?) {
        guard dataset.tasks.count == model.taskCount else {
            throw EngineError("train: the model has \(model.taskCount) heads but the dataset has \(dataset.tasks.count) tasks")
        }
        optimizer.momentum = settings.momentum
        optimizer.nesterov = settings.nesterov
        optimizer.weightDecay = settings.weightDecay
        optimizer.exemptBiasAndNormFromDecay = settings.noBiasDecay
        let schedule = settings.learningRateSchedule.schedule
        let mixup = settings.mixupAlpha > 0 ? Mixup(alpha: settings.mixupAlpha) : nil
        var records: [EpochRecord] = []

        for _ in 0..<epochs {
            let epoch = epochsCompleted
            var rng = RandomGenerator.derived(seed: settings.seed, epoch)
            var pipelineSeed = RandomGenerator.derived(seed: settings.seed, epoch, 1)
            let quotas = balance.quotas(classSizes: dataset.tasks.map { $0.trainCounts.map(\.used) })
            let plan = planEpoch(dataset, quotas: quotas, batchSize: settings.batchSize, rng: &rng)
            let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (settings.inputWidth, settings.inputHeight),
                                         augmentation: settings.augmentation, normalization: normalization,
                                         seed: pipelineSeed.next())
            var record = EpochRecord(epoch: epoch, tasks: Array(repeating: TaskEpochStatistics(), count: model.taskCount),
                                     partial: true, steps: 0, plannedSteps: plan.count)
            model.setTraining(true)
            // Weights are checked finite after every step, so they are finite here: the epoch's
            // last-good state, which any non-finite loss, gradient or weight restores. Held by
            // reference, it costs one copy of each weight and buffer per epoch, on its first update.
            let epochStartState = (model: model.checkpointTensors(), optimizer: optimizer.state())
            let epochStart = DispatchTime.now().uptimeNanoseconds
            var stop: Stop?
            for step in 0..<plan.count {
                if isCancelled() { stop = .cancelled; break }
                let stepStart = DispatchTime.now().uptimeNanoseconds
                guard let batch = pipeline.next() else { break }
                let classes = dataset.tasks[batch.task].classes.count
                var inputs = batch.images, targets = oneHot(batch.labels, classes: classes)
                if let mixup { (inputs, targets) = mixup.apply(images: batch.images, labels: batch.labels, classes: classes, rng: &rng) }

                let logits = try model(Variable(inputs), task: batch.task)
                let loss = try crossEntropy(logits, targetDistribution: targets, labelSmoothing: settings.labelSmoothing)
                let place = "at epoch \(epoch + 1), step \(step + 1) (task \(dataset.tasks[batch.task].name))"
                let restored = "restored the weights from the start of epoch \(epoch + 1)"
                guard loss.value.scalar.isFinite else {
                    try restore(epochStartState)
                    stop = .nonFinite("loss became \(loss.value.scalar) \(place); \(restored)")
                    break
                }
                optimizer.learningRate = schedule.rate(epoch: epoch, step: step, stepsPerEpoch: plan.count)
                optimizer.zeroGrad()
                try loss.backward()
                do {
                    try optimizer.step()  // changes nothing when a gradient is not finite
                } catch {
                    try restore(epochStartState)
                    stop = .nonFinite("\(error) \(place); \(restored)")
                    break
                }
                if let bad = model.namedParameters().first(where: { $0.variable.value.firstNonFinite != nil }) {
                    try restore(epochStartState)
                    stop = .nonFinite("the update made \(bad.name) non-finite \(place); \(restored)")
                    break
                }

                let predictions = argmaxRows(logits.value)
                var stats = record.tasks[batch.task]
                stats.images += batch.labels.count
                stats.lossSum += Double(loss.value.scalar) * Double(batch.labels.count)
                stats.correct += zip(predictions, batch.labels).filter { $0 == $1 }.count
                stats.seconds += Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9
                record.tasks[batch.task] = stats
                record.steps = step + 1
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                let imagesSoFar = record.tasks.reduce(0) { $0 + $1.images }
                progress(TrainingProgress(epoch: epoch, task: batch.task, step: step + 1, steps: plan.count, loss: stats.loss,
                                          imagesPerSecond: Double(imagesSoFar) / max(elapsed, 1e-9),
                                          secondsRemaining: elapsed / Double(step + 1) * Double(plan.count - step - 1)))
            }
            optimizer.zeroGrad()
            if stop == nil && record.steps == plan.count {
                record.partial = false
                epochsCompleted += 1
            }
            records.append(record)
            history.append(record)
            if let stop { return (records, stop) }
            if settings.adaptiveEvery > 0 && epochsCompleted % settings.adaptiveEvery == 0 {
                let evaluations = try evaluate(model, on: dataset, phase: "train", settings: settings, normalization: normalization,
                                               isCancelled: isCancelled)
                balance.mode = .adaptive(precision: evaluations.map { $0.precision.map { $0 ?? 0 } })
            }
        }
        return (records, nil)
    }

    private func restore(_ saved: (model: [(name: String, tensor: Tensor)], optimizer: [(name: String, tensor: Tensor)])) throws {
        try model.loadCheckpointTensors(Dictionary(uniqueKeysWithValues: saved.model.map { ($0.name, $0.tensor) }))
        try optimizer.loadState(Dictionary(uniqueKeysWithValues: saved.optimizer.map { ($0.name, $0.tensor) }))
        optimizer.zeroGrad()
    }
}

/// The index of the largest value of each row of [N, K] (the lower index on ties).
public func argmaxRows(_ t: Tensor) -> [Int] {
    let k = t.shape[1]
    let v = t.scalars
    return (0..<t.shape[0]).map { row in
        var best = 0
        for j in 1..<max(k, 1) where v[row * k + j] > v[row * k + best] { best = j }
        return best
    }
}
