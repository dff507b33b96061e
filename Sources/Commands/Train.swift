import Foundation
import MTMC

let trainCommand = Command("train", usage: "train N", summary: "train N epochs with the current settings, validating as it goes (Ctrl-C stops after the current step)",
                           example: "train 5") { session, args in
    guard args.count == 1, let epochs = Int(args[0]), epochs >= 1, epochs <= 100_000 else { throw trainCommand.usageError() }
    let dataset = try session.requireDataset("train")
    let trainer = try session.requireModel("train")
    guard session.modelTasks == Session.tasks(of: dataset) else {
        throw CommandError("train: the model's tasks and classes differ from the dataset's ("
                           + Checkpoint.differences(session.modelTasks, Session.tasks(of: dataset)).joined(separator: "; ")
                           + "); build a new model with model NAME")
    }
    // From the first step on, evaluations and calibration describe weights that no longer exist.
    session.forgetResults("the model was trained further")
    let names = dataset.tasks.map(\.name)
    if session.settings.training.autoLearningRate { try chooseLearningRate(trainer, dataset, session) }
    let runStart = trainer.epochsCompleted
    session.out.print(planLine(session.settings.training, runStart: runStart, epochs: epochs))
    let log = EpochCSVLog(path: (session.resolve(session.settings.logsFolder) as NSString).appendingPathComponent("train_history.csv"))
    var logError: String?
    let (_, stop) = try trainer.train(epochs: epochs, on: dataset, isCancelled: session.isCancelled, progress: { p in
        session.out.progress(String(format: "train %@ epoch %d step %d/%d  %.0f img/s  loss %.3f  ETA %@",
                                    names[p.task], p.epoch + 1, p.step, p.steps, p.imagesPerSecond, p.loss, duration(p.secondsRemaining)))
    }, epochEnded: { record in
        session.out.progress(nil)
        session.out.print(epochLine(record, names: names))
        do { try log.append(record, taskNames: names) } catch { logError = "\(error)" }
    })
    session.out.progress(nil)
    for line in summaryLines(trainer.lastRun, names: names, settings: session.settings.training) { session.out.print(line) }
    session.out.print(logError.map { "log not written: \($0)" } ?? "log: \(displayPath(log.path, session))")
    switch stop {
    case .cancelled?:
        // A saved history replays the epochs that ran, not the ones asked for.
        let ran = trainer.epochsCompleted - runStart
        session.replaysAs = ["# train \(epochs): interrupted after \(ran) epochs"] + (ran > 0 ? ["train \(ran)"] : [])
        session.out.print("interrupted: \(trainer.epochsCompleted) epochs completed in all; the partial epoch is not counted; weights and optimizer are consistent")
    case .nonFinite(let message)?:
        throw CommandError("train stopped: \(message)")
    case nil:
        break
    }
}

/// `set lr auto`: a sweep from the current weights (which it puts back), then its suggestion as the session's rate
/// (what the run trains at, and what `save` records).
func chooseLearningRate(_ trainer: Trainer, _ dataset: Dataset, _ session: Session) throws {
    let sweep = try trainer.sweepLearningRate(on: dataset, isCancelled: session.isCancelled, progress: sweepProgress(session))
    session.out.progress(nil)
    guard let rate = sweep.suggestion else {
        throw CommandError("train: lr auto: the sweep of \(sweep.rates.count) steps gave no suggestion (its loss never fell); set lr VALUE")
    }
    session.settings.training.learningRate = rate
    session.out.print("lr auto: lr find suggests \(rate) (\(sweep.rule)) after \(sweep.rates.count) steps")
}

/// What the run will do, before its first epoch: the learning-rate plan, augmentation and flips.
func planLine(_ s: TrainingSettings, runStart: Int, epochs: Int) -> String {
    let plan = LearningRatePlan(settings: s, runStart: runStart, runLength: epochs)
    let strength = s.augment.resolved(runEpochs: epochs).rawValue
    let augment = s.augment == .auto ? "augment \(strength) (auto for \(epochs) epochs)" : "augment \(strength)"
    let ema = s.emaDecay > 0 ? ", ema \(s.emaDecay)" : ""
    return "plan: \(plan.summary), batch \(s.batchSize), \(augment), hflip \(s.horizontalFlip ? "on" : "off")\(ema)"
        + restartNote(plan, runStart: runStart, epochs: epochs)
}

/// A run that plans its own decay after epochs already trained starts again from the peak rate, which
/// undoes part of what the last decay settled; said in the plan line with the two ways to go on lower.
private func restartNote(_ plan: LearningRatePlan, runStart: Int, epochs: Int) -> String {
    let s = plan.settings
    guard runStart > 0, s.schedule != .step, !plan.followsFixedPlan else { return "" }
    let shape = s.schedule == .cosine ? "cosine" : "one-cycle"
    return "; the rate restarts at its peak \(s.learningRate) after \(runStart) epoch\(runStart == 1 ? "" : "s") already trained (to go on lower: "
        + "set epochs \(runStart + epochs) for one \(shape) over epochs 1–\(runStart + epochs), or set lr "
        + String(format: "%g", s.learningRate / 10) + ")"
}

/// One line per epoch: train loss and top-1 per task, then val loss and top-1 when validated; speed and
/// learning rate. A partial epoch shows only what happened: the tasks that took a step, and no speed or
/// loss at all when it stopped before its first step.
func epochLine(_ r: EpochRecord, names: [String]) -> String {
    if r.partial && r.steps == 0 { return "epoch \(r.epoch + 1) stopped before its first step (0 of \(r.plannedSteps) steps)" }
    let seconds = r.tasks.reduce(0) { $0 + $1.seconds }, images = r.tasks.reduce(0) { $0 + $1.images }
    let tasks = names.indices.filter { !r.partial || r.tasks[$0].images > 0 }.map { t -> String in
        let train = r.tasks[t]
        var text = String(format: "%@ loss %.3f top-1 %@", names[t], train.loss, percent(train.top1))
        if let v = r.validation?[t], v.images > 0 { text += String(format: " val %.3f %@", v.loss, percent(v.top1)) }
        return text
    }.joined(separator: "  ")
    let head = r.partial ? "epoch \(r.epoch + 1) (partial: \(r.steps) of \(r.plannedSteps) steps)" : "epoch \(r.epoch + 1)"
    let speed = seconds > 0 ? String(format: "  %.0f img/s", Double(images) / seconds) : ""
    return head + "  " + tasks + speed + String(format: "  lr %.4g", r.learningRate ?? 0)
}

/// The run's last lines: the best validated epoch per task, and what keep best and patience did.
func summaryLines(_ run: RunSummary, names: [String], settings: TrainingSettings) -> [String] {
    var lines: [String] = []
    let best = zip(names, run.bestPerTask).compactMap { name, b in b.map { "\(name) epoch \($0.epoch + 1) (\(percent($0.top1)))" } }
    if !best.isEmpty { lines.append("best val top-1: " + best.joined(separator: ", ")) }
    if let stopped = run.stoppedAfter, let b = run.best {
        lines.append("patience \(settings.patience): no better validation in the \(stopped - b.epoch) epochs after epoch \(b.epoch + 1); stopped after epoch \(stopped + 1)")
    }
    if let cost = run.dataParallel {
        lines.append(String(format: "data-parallel: %d ranks, batch %d split across them; sums across ranks took %.1f s of %.1f s of steps (%.1f %%); "
                            + "%.2f M gradient values (%.1f MB) per step at most", cost.ranks, settings.batchSize, cost.secondsSumming,
                            cost.secondsInSteps, 100 * cost.secondsSumming / max(cost.secondsInSteps, 1e-9),
                            Double(cost.gradientFloatsPerStep) / 1e6, Double(cost.gradientFloatsPerStep * 4) / 1e6))
    }
    if let epoch = run.restoredEpoch, let b = run.best {
        lines.append("keep best: restored the weights of epoch \(epoch + 1) (mean val top-1 \(percent(b.top1)), loss \(String(format: "%.3f", b.loss))); later epochs' weights are discarded")
    } else if run.bestWasLast, let b = run.best {
        lines.append("keep best: the last validated epoch (\(b.epoch + 1)) is the best; weights kept as they are")
    }
    return lines
}

func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
}
