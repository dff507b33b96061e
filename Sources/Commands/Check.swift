import Foundation
import MTMC

let checkCommand = Command("check", usage: "check | check labels [TASK]",
                           summary: "audit the loaded dataset: exact and near duplicates (within a class, label conflicts, train/val leaks), near-uniform, small and oddly shaped images; labels: likely mislabelled images (confident learning; needs a model)",
                           example: "check", completions: ["labels"]) { session, args in
    switch args.first {
    case nil: try checkDataset(session)
    case "labels": try checkLabels(session, Array(args.dropFirst()))
    default: throw checkCommand.usageError(args)
    }
}

/// check: the audit from the decoded cache, in parallel, with a progress line; Ctrl-C stops it and reports nothing.
private func checkDataset(_ session: Session) throws {
    let dataset = try session.requireDataset("check")
    var limits = AuditLimits()
    limits.hamming = session.settings.nearDuplicateDistance
    limits.input = ImageSize(width: session.settings.training.inputWidth, height: session.settings.training.inputHeight)
    let audit: DatasetAudit
    do {
        audit = try DatasetAudit.run(dataset, limits: limits, isCancelled: session.isCancelled) { stage, done, total in
            session.out.progress("check: \(stage) \(done)/\(total)")
        }
    } catch let stop as Cancelled {
        session.out.progress(nil)
        throw CommandError("check cancelled (\(stop)); nothing reported")
    }
    session.out.progress(nil)
    var lines = audit.lines(dataset, limit: 10)
    do {
        lines.append("check log (every entry): " + displayPath(try audit.write(dataset, folder: session.resolve(session.settings.logsFolder)), session))
    } catch {
        lines.append("check log not written: \(error)")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// check labels [TASK]: likely mislabelled images by confident learning; val judged by the current model,
/// train by K quick models (set folds, foldepochs), each trained without the fold it judges. A task of one
/// class is not judged, nor the train images of a task too small for every quick model to learn from; each
/// says why.
private func checkLabels(_ session: Session, _ args: [String]) throws {
    guard args.count <= 1 else { throw checkCommand.usageError(["labels"]) }
    let dataset = try session.requireDataset("check labels")
    let trainer = try session.requireModel("check labels", matching: dataset)
    let indices = try args.first.map { [try dataset.taskIndex($0, command: "check labels")] } ?? Array(dataset.tasks.indices)
    let s = session.settings
    let judged = indices.filter { LabelCheck.nothingToJudge(in: dataset.tasks[$0]) == nil }
    let trainObstacles = Dictionary(uniqueKeysWithValues: judged.compactMap { t in
        outOfSampleObstacle(dataset.tasks[t], folds: s.labelFolds, seed: s.training.seed).map { (t, $0) }
    })
    let trained = judged.filter { trainObstacles[$0] == nil }
    let start = Date()
    let (valOutputs, trainOutputs) = try labelCheckOutputs(session, trainer, dataset, judged: judged, trained: trained)
    var checks: [LabelCheck] = [], lines: [String] = []
    for t in indices {
        let task = dataset.tasks[t]
        if let reason = LabelCheck.nothingToJudge(in: task) { lines.append("task \(task.name): \(reason)"); continue }
        var taskChecks = [LabelCheck(task: task, split: "val", samples: task.val, logits: valOutputs[t].logits.scalars)]
        if let position = trained.firstIndex(of: t) {
            taskChecks.append(LabelCheck(task: task, split: "train", samples: task.train, logits: trainOutputs[position]))
        }
        for check in taskChecks { lines += labelCheckLines(check, dataset: dataset, limit: 20) }
        if let obstacle = trainObstacles[t] { lines.append("task \(task.name), train: not judged: \(obstacle)") }
        checks += taskChecks
    }
    session.labelChecks = checks
    let how = trained.isEmpty ? "train not judged"
        : String(format: "train by %d quick %@ models of %d epochs, each trained without the fold it judges", s.labelFolds, "\(trainer.model.architecture)", s.foldEpochs)
    lines.insert(String(format: "check labels: %@; %.1f s", judged.isEmpty ? "nothing judged" : "val judged by the current model; " + how,
                        Date().timeIntervalSince(start)), at: 0)
    for t in judged {
        do {
            let path = try LabelCheck.write(checks.filter { $0.taskName == dataset.tasks[t].name }, task: dataset.tasks[t].name,
                                            dataset: dataset, folder: session.resolve(s.logsFolder))
            lines.append("suspects of \(dataset.tasks[t].name) (every one): " + displayPath(path, session))
        } catch {
            lines.append("suspects of \(dataset.tasks[t].name) not written: \(error)")
        }
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The current model's val outputs of every task (none when no task is `judged`), and the quick models'
/// out-of-sample outputs of the `trained` tasks' train images, in that order; Ctrl-C stops both.
private func labelCheckOutputs(_ session: Session, _ trainer: Trainer, _ dataset: Dataset, judged: [Int], trained: [Int]) throws
    -> (val: [TaskEvaluation], train: [[Float]]) {
    let s = session.settings
    var plan = FoldTraining(architecture: trainer.model.architecture, settings: s.training, balance: session.balance,
                            sharedStatistics: s.sharedStatistics, normalization: trainer.normalization, folds: s.labelFolds, epochs: s.foldEpochs)
    plan.context = trainer.model.context
    defer { session.out.progress(nil) }
    do {
        let val = judged.isEmpty ? [] : try evaluate(trainer.model, on: dataset, phase: "val", settings: s.training, normalization: trainer.normalization,
                                                     isCancelled: session.isCancelled) { t, done, total in
            session.out.progress("check labels: val \(dataset.tasks[t].name) \(done)/\(total) images")
        }
        let train = trained.isEmpty ? [] : try outOfSampleOutputs(dataset.restricted(to: trained), plan, isCancelled: session.isCancelled) { fold, p in
            session.out.progress("check labels: quick model \(fold + 1)/\(s.labelFolds), epoch \(p.epoch + 1)/\(s.foldEpochs), step \(p.step)/\(p.steps)")
        }
        return (val, train)
    } catch where session.isCancelled() {
        throw CommandError("check labels cancelled (\(error)); nothing reported")
    }
}

/// One split's thresholds and ranked suspects (at most `limit`).
private func labelCheckLines(_ check: LabelCheck, dataset: Dataset, limit: Int) -> [String] {
    guard !check.samples.isEmpty else { return ["task \(check.taskName), \(check.split): no images, nothing judged"] }
    let suspects = check.result.suspects
    let thresholds = zip(check.classes, check.result.thresholds).map { "\($0) " + ($1.map { String(format: "%.2f", $0) } ?? "—") }
    var lines = ["task \(check.taskName), \(check.split): \(suspects.count) suspect\(suspects.count == 1 ? "" : "s") of \(check.samples.count) images"
                 + " (class thresholds, the mean self-confidence: " + thresholds.joined(separator: ", ") + ")"]
    guard !suspects.isEmpty else { return lines }
    let rows = suspects.prefix(limit).map { s -> [String] in
        [taskRelative(dataset.shownFile(check.samples[s.row].image), check.taskName), check.classes[s.given], check.classes[s.suggested],
         String(format: "%.3f", s.givenProbability), String(format: "%.3f", s.suggestedProbability), String(format: "%.3f", s.margin)]
    }
    lines.append(Table(headers: ["image", "given", "suggested", "p(given)", "p(suggested)", "margin"], rows: rows, rightAligned: [3, 4, 5]).render())
    if suspects.count > limit { lines.append("  … \(suspects.count - limit) more in the suspects log") }
    return lines
}

/// A path relative to the dataset root, without its task folder.
func taskRelative(_ shown: String, _ task: String) -> String {
    shown.hasPrefix(task + "/") ? String(shown.dropFirst(task.count + 1)) : shown
}
