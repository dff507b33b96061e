import Dispatch
import Engine
import Foundation
import Vision

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
/// Holds the optimizer so momentum carries across `train` calls and into checkpoints. Its settings and balance
/// are read from `source` (a session's own, once the session binds it): the optimizer is given the
/// hyper-parameters each step derives from them, so nothing holds a copy to keep in step.
public final class Trainer {
    public let model: MultiTaskModel
    public let optimizer: SGD
    /// Where `settings` and `balance` live.
    public var source: SettingsSource
    /// What shapes training, read from the source at each use; writing it writes the source's.
    public var settings: TrainingSettings {
        get { source.settings() }
        set { source.setSettings(newValue) }
    }
    /// Per-class quotas per epoch, read from the source; adaptive balance writes it there during `train`.
    public var balance: Balance {
        get { source.balance() }
        set { source.setBalance(newValue) }
    }
    public var normalization: Normalization = .imageNet
    /// Epochs fully completed; a cancelled epoch is recorded in `history` as partial and not counted.
    public private(set) var epochsCompleted = 0
    public private(set) var history: [EpochRecord] = []
    /// What the last `train` call's validation, `keepBest` and `patience` did.
    public private(set) var lastRun = RunSummary()
    /// Checks the model on the val images after an epoch; the evaluation `eval` runs, replaceable in tests
    /// to script a validation sequence.
    /// The weight average of `set ema`, updated after every step while it is on.
    public internal(set) var average: WeightAverage?
    /// While the model holds the average (between runs, with `set ema` on), the weights training goes on from.
    public internal(set) var trainingWeights: [(name: String, tensor: Tensor)]?
    /// `set teacher`: a trained model whose softened outputs join the loss, and the checkpoint it came from.
    public var teacher: (model: MultiTaskModel, path: String)?
    public var validator: (MultiTaskModel, Dataset, TrainingSettings, Normalization, () -> Bool) throws -> [TaskValidation] = Trainer.validate

    /// A trainer with settings of its own, until a session binds it to its settings.
    public init(model: MultiTaskModel, settings: TrainingSettings) {
        self.model = model
        source = .own(settings)
        optimizer = SGD(parameters: model.namedParameters())
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

    /// Trains `epochs` epochs as one run: the learning rate is planned over it (LearningRatePlan), the val
    /// images are checked every `validateEvery` epochs and after the last, and `keepBest` and `patience` act on
    /// those checks (`lastRun` says what they did). Returns the records of this call and why it stopped early,
    /// if so. Cancelling (polled between steps) leaves weights, optimizer and counters consistent. A non-finite
    /// loss, gradient or updated weight (checked at every step, the epoch's last included) restores the
    /// weights, running statistics and optimizer state of the epoch's start, and stops.
    public func train(epochs: Int, on dataset: Dataset, isCancelled: () -> Bool = { false },
                      progress: (TrainingProgress) -> Void = { _ in },
                      epochEnded: (EpochRecord) -> Void = { _ in }) throws -> (records: [EpochRecord], stop: Stop?) {
        guard dataset.tasks.count == model.taskCount else {
            throw EngineError("train: the model has \(model.taskCount) heads but the dataset has \(dataset.tasks.count) tasks")
        }
        try beginRun()
        let run = Run(plan: LearningRatePlan(settings: settings, runStart: epochsCompleted, runLength: epochs),
                      augmentation: settings.augmentation(runEpochs: epochs),
                      mixer: BatchMixer(settings: settings), end: epochsCompleted + epochs)
        var tracker = ValidationTracker(tasks: model.taskCount, patience: settings.patience)
        var bestState: [(name: String, tensor: Tensor)]?
        var records: [EpochRecord] = []
        lastRun = RunSummary()
        let summingAtStart = World.secondsSumming
        defer {
            lastRun.bestPerTask = tracker.bestPerTask; lastRun.best = tracker.best
            if let parallel = DataParallel.current {
                lastRun.dataParallel = DataParallelCost(
                    ranks: parallel.world.size, secondsSumming: World.secondsSumming - summingAtStart,
                    secondsInSteps: records.reduce(0) { $0 + $1.tasks.reduce(0) { $0 + $1.seconds } },
                    gradientFloatsPerStep: model.namedParameters().filter(\.variable.requiresGrad).reduce(0) { $0 + $1.variable.value.count })
            }
        }

        for _ in 0..<epochs {
            var (record, stop) = try trainEpoch(dataset, run, isCancelled: isCancelled, progress: progress)
            if stop == nil && !record.partial && shouldValidate(after: record, run: run) {
                record.validation = try validateOrNil(dataset, isCancelled: isCancelled)
                if record.validation == nil { stop = .cancelled }
            }
            if tracker.observe(record) && settings.keepBest { bestState = average?.tensors ?? model.checkpointTensors() }
            records.append(record)
            history.append(record)
            epochEnded(record)
            if case .nonFinite? = stop { return (records, stop) }
            if stop == nil && tracker.shouldStop { lastRun.stoppedAfter = record.epoch }
            if stop != nil || lastRun.stoppedAfter != nil {
                try finishRun(bestState, tracker)
                return (records, stop)
            }
            try adaptBalance(dataset, isCancelled: isCancelled)
        }
        try finishRun(bestState, tracker)
        return (records, nil)
    }

    /// What every epoch of one run shares.
    private struct Run {
        let plan: LearningRatePlan
        let augmentation: AugmentationSettings
        let mixer: BatchMixer?
        /// The model epoch count at which the run ends.
        let end: Int
    }

    private func shouldValidate(after record: EpochRecord, run: Run) -> Bool {
        settings.validateEvery > 0 && (epochsCompleted % settings.validateEvery == 0 || epochsCompleted == run.end)
    }

    /// The val figures per task, or nil when the user cancelled during validation (the epoch itself stands).
    private func validateOrNil(_ dataset: Dataset, isCancelled: () -> Bool) throws -> [TaskValidation]? {
        do {
            guard settings.emaDecay > 0, let average else { return try validator(model, dataset, settings, normalization, isCancelled) }
            // The average is what the run will end with, so it is what validation judges.
            let current = model.checkpointTensors()
            try model.loadCheckpointTensors(average.byName)
            defer { try? model.loadCheckpointTensors(Dictionary(uniqueKeysWithValues: current.map { ($0.name, $0.tensor) })) }
            return try validator(model, dataset, settings, normalization, isCancelled)
        } catch where isCancelled() {
            return nil
        }
    }

    /// Training goes on from the weights it left, not from the average the model held between runs; the
    /// average starts from the current weights when `set ema` is on and there is none yet.
    private func beginRun() throws {
        if let raw = trainingWeights {
            try model.loadCheckpointTensors(Dictionary(uniqueKeysWithValues: raw.map { ($0.name, $0.tensor) }))
            trainingWeights = nil
        }
        if settings.emaDecay == 0 { average = nil } else if average == nil { average = WeightAverage(model.checkpointTensors()) }
        try DataParallel.current?.broadcastWeights(model, optimizer)
    }

    /// With `set ema` on, the model ends the run holding the average (what eval, predict and save then use);
    /// then `keep best` may put back the best validated epoch's (averaged) weights.
    private func finishRun(_ bestState: [(name: String, tensor: Tensor)]?, _ tracker: ValidationTracker) throws {
        if settings.emaDecay > 0, let average {
            trainingWeights = model.checkpointTensors()
            try model.loadCheckpointTensors(average.byName)
        }
        try restoreBest(bestState, tracker)
    }

    /// `keep best`: the weights and running statistics of the run's best validated epoch, when it was not the
    /// last one validated. The optimizer's momentum stays as it is: it describes the path, not a point.
    private func restoreBest(_ state: [(name: String, tensor: Tensor)]?, _ tracker: ValidationTracker) throws {
        guard settings.keepBest, let state, let best = tracker.best else { return }
        guard best.epoch != history.last(where: { !$0.partial })?.epoch else { lastRun.bestWasLast = true; return }
        try model.loadCheckpointTensors(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) }))
        lastRun.restoredEpoch = best.epoch
    }

    private func adaptBalance(_ dataset: Dataset, isCancelled: () -> Bool) throws {
        guard settings.adaptiveEvery > 0 && epochsCompleted % settings.adaptiveEvery == 0 else { return }
        let evaluations = try evaluate(model, on: dataset, phase: "train", settings: settings, normalization: normalization,
                                       isCancelled: isCancelled)
        balance.mode = .adaptive(precision: evaluations.map { $0.precision.map { $0 ?? 0 } })
    }

    /// Val loss and top-1 per task with the evaluation `eval` runs.
    public static func validate(_ model: MultiTaskModel, _ dataset: Dataset, _ settings: TrainingSettings,
                                _ normalization: Normalization, _ isCancelled: () -> Bool) throws -> [TaskValidation] {
        try evaluate(model, on: dataset, phase: "val", settings: settings, normalization: normalization, isCancelled: isCancelled)
            .map { TaskValidation(images: $0.labels.count, loss: $0.loss, top1: $0.top1) }
    }

    /// One epoch; the record is partial when it stopped early.
    private func trainEpoch(_ dataset: Dataset, _ run: Run, isCancelled: () -> Bool,
                            progress: (TrainingProgress) -> Void) throws -> (EpochRecord, Stop?) {
        let epoch = epochsCompleted
        var rng = RandomGenerator.derived(seed: settings.seed, epoch)
        var pipelineSeed = RandomGenerator.derived(seed: settings.seed, epoch, 1)
        let quotas = balance.quotas(classSizes: dataset.tasks.map { $0.trainCounts.map(\.used) })
        var plan = planEpoch(dataset, quotas: quotas, batchSize: settings.batchSize, order: settings.order,
                             mixTasks: settings.mixTasks && model.sharedStatistics, rng: &rng)
        let parallel = DataParallel.current
        plan = parallel?.trainable(plan) ?? plan
        let context = useSynchronizedStatistics(across: parallel)
        defer { model.use(context) }
        let pipeline = BatchPipeline(plan: parallel.map { plan.map($0.local) } ?? plan, cache: dataset.cache, inputSize: (settings.inputWidth, settings.inputHeight),
                                     augmentation: run.augmentation, normalization: normalization, seed: pipelineSeed.next(),
                                     wholeChunks: settings.order == .chunks)
        var record = EpochRecord(epoch: epoch, tasks: Array(repeating: TaskEpochStatistics(), count: model.taskCount),
                                 partial: true, steps: 0, plannedSteps: plan.count)
        model.setTraining(true)
        // Weights are checked finite after every step, so they are finite here: the epoch's last-good state, which any
        // non-finite loss, gradient or weight restores. Held by reference, it costs a copy of each weight on its first update.
        let epochStartState = (model: model.checkpointTensors(), optimizer: optimizer.state()), epochStartAverage = average
        let epochStart = DispatchTime.now().uptimeNanoseconds
        var stop: Stop?, lastRate: Float?
        // On a GPU without host-side mixing, the next batch, its copy to the device started while this step computes.
        var ahead: Batch?
        for step in 0..<plan.count {
            if isCancelled() { stop = .cancelled; break }
            let stepStart = DispatchTime.now().uptimeNanoseconds
            guard let batch = ahead ?? pipeline.next() else { break }
            ahead = nil
            let rate = run.plan.rate(epoch: epoch, step: step, stepsPerEpoch: plan.count)
            let global = plan[step].samples.count
            let copyAhead = model.device.isCPU || run.mixer != nil || step + 1 == plan.count ? nil : { ahead = pipeline.next()?.prefetched(to: self.model.device) }
            let outcome = batch.parts.count > 1
                ? try trainMixedStep(batch, classes: dataset.tasks.map(\.classes.count), rate: rate, mixer: run.mixer, rng: &rng,
                                     across: parallel.map { ($0, plan[step].parts) })
                : try trainStep(batch, classes: dataset.tasks[batch.task].classes.count, rate: rate, mixer: run.mixer, rng: &rng,
                                across: parallel.map { ($0, global) }, whileForwardRuns: copyAhead)
            lastRate = rate
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9
            if let what = add(outcome, of: plan[step], task: batch.task, seconds: seconds, to: &record) {
                try restore(epochStartState)
                average = epochStartAverage
                stop = .nonFinite("\(what) at epoch \(epoch + 1), step \(step + 1) (task \(dataset.tasks[batch.task].name)); "
                                  + "restored the weights from the start of epoch \(epoch + 1)")
                break
            }
            record.steps = step + 1
            if settings.emaDecay > 0 { try average?.update(with: model.checkpointTensors(), decay: settings.emaDecay) }
            progress(progressReport(record, task: batch.task, step: step, steps: plan.count, since: epochStart))
        }
        optimizer.zeroGrad()
        try parallel?.broadcastWeights(model, optimizer)
        if stop == nil && record.steps == plan.count {
            record.partial = false
            epochsCompleted += 1
        }
        record.learningRate = lastRate
        record.seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
        return (record, stop)
    }

    /// Gives the model a context whose batch norms synchronise across `parallel`'s ranks when the settings ask
    /// for it; returns the context to put back when the epoch ends.
    private func useSynchronizedStatistics(across parallel: DataParallel?) -> EngineContext {
        let context = model.context
        if let parallel, settings.syncBatchNorm {
            var synchronized = context
            (synchronized.world, synchronized.synchronizesBatchNorm) = (parallel.world, true)
            model.use(synchronized)
        }
        return context
    }

    /// Adds a trained step's losses and predictions to `record` (a mixed batch's time shared among its parts by
    /// rows); returns what went non-finite when the step did not train.
    private func add(_ outcome: StepOutcome, of planned: PlannedBatch, task: Int, seconds: Double, to record: inout EpochRecord) -> String? {
        switch outcome {
        case .trained(let loss, let predictions):
            record.add(task: task, loss: loss, predictions: predictions, labels: planned.samples.map(\.label), seconds: seconds)
        case .trainedMixed(let results):
            for (part, result) in zip(planned.parts, results) {
                record.add(task: result.task, loss: result.loss, predictions: result.predictions, labels: planned.samples[part.rows].map(\.label),
                           seconds: seconds * Double(part.rows.count) / Double(planned.samples.count))
            }
        case .nonFinite(let what):
            return what
        }
        return nil
    }

    enum StepOutcome {
        case trained(loss: Double, predictions: [Int])
        /// A batch mixing tasks: each task's loss and predictions.
        case trainedMixed([TaskStepResult])
        /// What went non-finite; nothing of the step's update is kept by the caller.
        case nonFinite(String)
    }

    /// Forward, loss, backward and update on one batch, with every non-finite value caught before it spreads;
    /// `whileForwardRuns` is called once the forward pass is launched (a GPU then computes while it runs).
    /// `across`: the batch is this rank's slice of a global batch of that many images (data-parallel training);
    /// the outcome's loss and predictions are then the global batch's.
    func trainStep(_ batch: Batch, classes: Int, rate: Float, mixer: BatchMixer?, rng: inout RandomGenerator,
                   across: (parallel: DataParallel, globalCount: Int)? = nil, whileForwardRuns: (() -> Void)? = nil) throws -> StepOutcome {
        let settings = self.settings
        var inputs = batch.images, targets = oneHot(batch.labels, classes: classes)
        if let mixer { (inputs, targets) = try mixer.apply(images: batch.images, labels: batch.labels, classes: classes, rng: &rng) }
        let logits = try model(Variable(inputs), task: batch.task)
        // The forward kernels are queued and nothing is read back yet (the loss is): the host's work here overlaps them.
        whileForwardRuns?()
        var loss = try crossEntropy(logits, targetDistribution: targets, labelSmoothing: settings.labelSmoothing)
        if let teacher {
            let distillation = Distillation(teacher: teacher.model, temperature: settings.distillTemperature, weight: settings.distillWeight)
            loss = try distillation.loss(student: logits, hard: loss, teacherLogits: distillation.teacherLogits(inputs, task: batch.task))
        }
        let share = across.map { Float(batch.labels.count) / Float($0.globalCount) } ?? 1
        let lossValue = across?.parallel.globalLoss(share: loss.value.scalar * share) ?? loss.value.scalar
        guard lossValue.isFinite else { return .nonFinite("loss became \(lossValue)") }
        if share != 1 { loss = scale(loss, by: share) }
        if let failed = try update(loss, rate: rate, across: across?.parallel) { return failed }
        let predictions = argmaxRows(logits.value)
        return .trained(loss: Double(lossValue),
                        predictions: across.map { $0.parallel.globalPredictions(predictions, count: $0.globalCount) } ?? predictions)
    }

    private func progressReport(_ record: EpochRecord, task: Int, step: Int, steps: Int, since start: UInt64) -> TrainingProgress {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let imagesSoFar = record.tasks.reduce(0) { $0 + $1.images }
        return TrainingProgress(epoch: record.epoch, task: task, step: step + 1, steps: steps, loss: record.tasks[task].loss,
                                imagesPerSecond: Double(imagesSoFar) / max(elapsed, 1e-9),
                                secondsRemaining: elapsed / Double(step + 1) * Double(steps - step - 1))
    }

    /// Moves the model and the optimizer's state to `device`.
    public func move(to device: Device) {
        model.move(to: device)
        optimizer.move(to: device)
    }

    func restore(_ saved: (model: [(name: String, tensor: Tensor)], optimizer: [(name: String, tensor: Tensor)])) throws {
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
