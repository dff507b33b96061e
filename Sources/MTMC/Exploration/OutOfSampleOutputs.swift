import Engine
import Foundation
import Vision

/// The fold (0..<k) of each sample: per class, the samples in a seeded shuffle dealt in turn, so every
/// fold holds about 1/k of every class.
public func stratifiedFolds(_ samples: [Sample], folds k: Int, seed: UInt64) -> [Int] {
    var fold = [Int](repeating: 0, count: samples.count)
    var byClass: [Int: [Int]] = [:]
    for (i, s) in samples.enumerated() { byClass[s.label, default: []].append(i) }
    for label in byClass.keys.sorted() {
        var rows = byClass[label]!
        var rng = RandomGenerator.derived(seed: seed, label)
        rng.shuffle(&rows)
        for (position, row) in rows.enumerated() { fold[row] = position % k }
    }
    return fold
}

/// How the quick models of `outOfSampleOutputs` are made and trained.
public struct FoldTraining {
    public var architecture: Architecture
    /// The session's training settings; validation, keep best, patience, EMA and lr auto are turned off.
    public var settings: TrainingSettings
    public var balance: Balance
    public var sharedStatistics: Bool
    public var normalization: Normalization
    public var folds: Int
    public var epochs: Int
    /// How the engine runs the quick models: the session's model's.
    public var context = EngineContext()

    public init(architecture: Architecture, settings: TrainingSettings, balance: Balance, sharedStatistics: Bool,
                normalization: Normalization, folds: Int, epochs: Int) {
        (self.architecture, self.settings, self.balance, self.sharedStatistics) = (architecture, settings, balance, sharedStatistics)
        (self.normalization, self.folds, self.epochs) = (normalization, folds, epochs)
    }
}

/// Why `outOfSampleOutputs` cannot judge `task`'s training images with `folds` quick models, or nil when it can:
/// each quick model learns from the images outside its fold, and needs two of them (a batch norm cannot train
/// on one image, and one image teaches nothing about the others).
public func outOfSampleObstacle(_ task: DatasetTask, folds k: Int, seed: UInt64) -> String? {
    let fold = stratifiedFolds(task.train, folds: k, seed: seed)
    guard let f = (0..<k).first(where: { f in fold.filter { $0 != f }.count < 2 }) else { return nil }
    let left = fold.filter { $0 != f }.count
    return "quick model \(f + 1) of \(k) would learn from \(left) of the \(task.train.count) training image\(task.train.count == 1 ? "" : "s")"
        + " (it needs 2); add training images\(k > SettingRanges.labelFolds.lowerBound ? " or set folds lower" : "")"
}

/// Out-of-sample outputs for every training image: K quick models, model f trained `epochs` epochs from
/// scratch on the other K − 1 folds of every task and then evaluated on fold f. No image is judged by a
/// model that saw it. Returns per task the logits [train images × classes] in `task.train` order.
/// `progress` gets (fold, its training progress); cancelling stops with `Cancelled`. Throws, naming the
/// task, when a quick model would have fewer than two of a task's images to learn from (`outOfSampleObstacle`).
public func outOfSampleOutputs(_ dataset: Dataset, _ plan: FoldTraining, isCancelled: () -> Bool = { false },
                               progress: (Int, TrainingProgress) -> Void = { _, _ in }) throws -> [[Float]] {
    for task in dataset.tasks {
        if let obstacle = outOfSampleObstacle(task, folds: plan.folds, seed: plan.settings.seed) { throw DatasetError("task \(task.name): \(obstacle)") }
    }
    var quick = plan.settings
    quick.validateEvery = 0; quick.keepBest = false; quick.patience = 0; quick.emaDecay = 0
    quick.autoLearningRate = false; quick.epochs = 0; quick.adaptiveEvery = 0
    let folds = dataset.tasks.map { stratifiedFolds($0.train, folds: plan.folds, seed: plan.settings.seed) }
    var outputs = dataset.tasks.map { [Float](repeating: 0, count: $0.train.count * $0.classes.count) }
    for f in 0..<plan.folds {
        let foldData = dataset.fold(f, of: folds)
        let model = MultiTaskModel(architecture: plan.architecture, classesPerTask: dataset.tasks.map(\.classes.count),
                                   seed: plan.settings.seed &+ UInt64(f + 1))
        model.sharedStatistics = plan.sharedStatistics
        model.use(plan.context)
        let trainer = Trainer(model: model, settings: quick)
        trainer.balance = Balance(mode: .balanced, maxBase: plan.balance.maxBase)
        trainer.normalization = plan.normalization
        let (_, stop) = try trainer.train(epochs: plan.epochs, on: foldData, isCancelled: isCancelled) { progress(f, $0) }
        switch stop {
        case .cancelled?: throw Cancelled(what: "stopped while training quick model \(f + 1) of \(plan.folds)")
        case .nonFinite(let what)?: throw DatasetError("quick model \(f + 1) of \(plan.folds) diverged: \(what); lower lr and try again")
        case nil: break
        }
        let held = try evaluate(model, on: foldData, phase: "val", settings: quick, normalization: plan.normalization, isCancelled: isCancelled)
        for (t, e) in held.enumerated() {
            let k = dataset.tasks[t].classes.count, rows = dataset.tasks[t].train.indices.filter { folds[t][$0] == f }
            precondition(rows.count == foldData.tasks[t].val.count, "held-out rows and their outputs line up")
            let z = e.logits.scalars
            for (position, row) in rows.enumerated() {
                for j in 0..<k { outputs[t][row * k + j] = z[position * k + j] }
            }
        }
    }
    return outputs
}

extension Dataset {
    /// Fold `f` of the training images (`folds[task][row]` gives each image's fold): the other folds as
    /// train, fold f standing in as val, so that `evaluate` on val gives the held-out images' outputs.
    /// The real val images take no part.
    public func fold(_ f: Int, of folds: [[Int]]) -> Dataset {
        let parts = tasks.enumerated().map { t, task in
            let train = task.train.indices.filter { folds[t][$0] != f }.map { task.train[$0] }
            let held = task.train.indices.filter { folds[t][$0] == f }.map { task.train[$0] }
            // Counts as the parts hold them: balance sizes its quotas from the training counts.
            func counts(_ samples: [Sample]) -> [FileCounts] { task.classes.indices.map { c in FileCounts(used: samples.filter { $0.label == c }.count) } }
            return DatasetTask(name: task.name, classes: task.classes, train: train, val: held, trainCounts: counts(train), valCounts: counts(held))
        }
        return replacingTasks(parts)
    }
}
