import Engine
import Foundation
import Vision

extension Trainer {
    /// `lr find`: from the current weights, trains `steps` batches (of one task, or of all as the coordinator
    /// interleaves them) at rates growing exponentially from `from` to `to`, until the smoothed loss passes 4×
    /// its minimum (`progress` gets each step before it runs); then puts back the weights, every task's batch-norm statistics, the optimizer's momentum
    /// buffers exactly as they were. Works on a frozen backbone too (only the heads move).
    public func sweepLearningRate(on dataset: Dataset, task: Int? = nil, from: Float = 1e-5, to: Float = 1, steps: Int = 100,
                                  isCancelled: () -> Bool = { false },
                                  progress: (_ step: Int, _ of: Int, _ rate: Float) -> Void = { _, _, _ in }) throws -> LearningRateSweep {
        guard from > 0, to > from, steps >= 2 else { throw EngineError("lr find: the sweep needs 0 < from < to and 2 or more steps") }
        let saved = (model: model.checkpointTensors(), optimizer: optimizer.state())
        var sweep = LearningRateSweep()
        do {
            try runSweep(&sweep, dataset: dataset, task: task, from: from, to: to, steps: steps, isCancelled: isCancelled, progress: progress)
        } catch {
            try restore((saved.model, saved.optimizer))
            throw error
        }
        try restore((saved.model, saved.optimizer))
        return sweep
    }

    private func runSweep(_ sweep: inout LearningRateSweep, dataset: Dataset, task: Int?, from: Float, to: Float, steps: Int,
                          isCancelled: () -> Bool, progress: (Int, Int, Float) -> Void) throws {
        var rng = RandomGenerator.derived(seed: settings.seed, epochsCompleted, 7)
        let plan = sweepBatches(dataset, task: task, steps: steps, rng: &rng)
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (settings.inputWidth, settings.inputHeight),
                                     augmentation: settings.augmentation(runEpochs: 1), normalization: normalization, seed: rng.next())
        model.setTraining(true)
        for i in 0..<plan.count {
            if isCancelled() { sweep.stoppedEarly = "cancelled"; break }
            guard let batch = pipeline.next() else { break }
            let rate = from * Float(pow(Double(to / from), Double(i) / Double(steps - 1)))
            progress(i + 1, plan.count, rate)
            let outcome = try trainStep(batch, classes: dataset.tasks[batch.task].classes.count, rate: rate, mixer: nil, rng: &rng)
            guard case .trained(let loss, _) = outcome else {
                sweep.stoppedEarly = String(format: "not finite at lr %.3g", rate)
                break
            }
            if !sweep.add(rate: rate, loss: loss, task: batch.task) {
                sweep.stoppedEarly = String(format: "the smoothed loss passed 4× its minimum at lr %.3g", rate)
                break
            }
        }
        optimizer.zeroGrad()
    }

    /// `steps` balanced batches of `task` (or of every task), planned epoch after epoch as training plans them.
    private func sweepBatches(_ dataset: Dataset, task: Int?, steps: Int, rng: inout RandomGenerator) -> [PlannedBatch] {
        var batches: [PlannedBatch] = []
        let quotas = balance.quotas(classSizes: dataset.tasks.map { $0.trainCounts.map(\.used) })
        while batches.count < steps {
            let epoch = planEpoch(dataset, quotas: quotas, batchSize: settings.batchSize, order: settings.order, rng: &rng).filter { task == nil || $0.task == task }
            guard !epoch.isEmpty else { break }
            batches += epoch
        }
        return Array(batches.prefix(steps))
    }
}
