import Engine
import Foundation

/// The stored evaluations after curation changed `old` into `new`: each task's rows follow its samples (a
/// dropped image's row goes, a relabelled image's row takes its new label and place, an undone drop's row comes
/// back from `savedRows`, the rows of image `restoring` by task name), and the metrics are recomputed. An evaluation that would lack a row (an image that
/// moved into the evaluated split from the other) cannot follow and is returned in `dropped` by task name.
public func remapEvaluations(_ evaluations: [TaskEvaluation], from old: Dataset, to new: Dataset,
                             savedRows: [String: [Float]] = [:], restoring image: Int? = nil) -> (kept: [TaskEvaluation], dropped: [String]) {
    var kept: [TaskEvaluation] = [], dropped: [String] = []
    for e in evaluations {
        guard let before = old.tasks.first(where: { $0.name == e.taskName }), let after = new.tasks.first(where: { $0.name == e.taskName }) else {
            kept.append(e)
            continue
        }
        let oldSamples = e.phase == "train" ? before.train : before.val, newSamples = e.phase == "train" ? after.train : after.val
        if oldSamples == newSamples { kept.append(e); continue }
        let k = e.classes.count, values = e.logits.scalars
        let rowOf = Dictionary(oldSamples.enumerated().map { ($0.element.image, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var logits: [Float] = []
        logits.reserveCapacity(newSamples.count * k)
        var complete = true
        for s in newSamples {
            if let row = rowOf[s.image], row < e.labels.count {
                logits += values[(row * k)..<((row + 1) * k)]
            } else if s.image == image, let saved = savedRows[e.taskName], saved.count == k {
                logits += saved
            } else {
                complete = false
                break
            }
        }
        guard complete, let tensor = try? Tensor(shape: [newSamples.count, k], values: logits) else { dropped.append(e.taskName); continue }
        let labels = newSamples.map(\.label)
        let m = TaskEvaluation.metrics(logits: tensor, labels: labels)
        kept.append(TaskEvaluation(task: e.task, taskName: e.taskName, classes: e.classes, phase: e.phase, loss: m.loss, top1: m.top1,
                                   top2: m.top2, confusion: m.confusion, logits: tensor, labels: labels))
    }
    return (kept, dropped)
}
