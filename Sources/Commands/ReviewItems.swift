import Foundation
import MTMC

/// One image a finding asks about: its task and class when listed, the class the finding proposes (the
/// prediction, the suggested class, a duplicate's class), a duplicate partner, and the facts to show.
struct ReviewItem {
    let image: Int
    let task: Int
    let truth: Int
    let proposed: Int?
    let partner: Int?
    let facts: String
}

/// `check labels`' suspects of TASK (every judged task when nil), largest margin first within each split.
func suspectItems(_ session: Session, _ dataset: Dataset, task: String?) throws -> [ReviewItem] {
    let checks = session.labelChecks.filter { task == nil || $0.taskName == task }
    guard !checks.isEmpty else {
        throw CommandError("review suspects: no check labels results" + (task.map { " for task \($0)" } ?? "") + "; run check labels first")
    }
    return checks.flatMap { check -> [ReviewItem] in
        guard let t = dataset.tasks.firstIndex(where: { $0.name == check.taskName }) else { return [] }
        return check.result.suspects.map { s in
            ReviewItem(image: check.samples[s.row].image, task: t, truth: s.given, proposed: s.suggested, partner: nil,
                       facts: String(format: "%@ · truth %@ · suggested %@ · p(truth) %.3f · p(suggested) %.3f · margin %.3f", check.split,
                                     check.classes[s.given], check.classes[s.suggested], s.givenProbability, s.suggestedProbability, s.margin))
        }
    }
}

/// The N images of TASK's last evaluation with the highest loss, highest first.
func worstItems(_ session: Session, task: String, count: Int) throws -> [ReviewItem] {
    let worst = try worstOfTask(["worst", task, "\(count)"], "review worst", session)
    guard let t = worst.dataset.tasks.firstIndex(where: { $0.name == task }) else { return [] }
    return worst.images.map { w in
        let confidence = w.confidence.map { $0 == 0 ? "<0.10" : String(format: "%.2f", $0) } ?? "— (calibrate first)"
        return ReviewItem(image: worst.samples[w.row].image, task: t, truth: w.truth, proposed: w.predicted, partner: nil,
                          facts: String(format: "%@ · truth %@ · predicted %@ · p(truth) %.3f · p(predicted) %.3f · margin %.3f · confidence %@ · loss %.3f",
                                        worst.e.phase, worst.e.classes[w.truth], worst.e.classes[w.predicted], w.truthSoftmax,
                                        w.predictedSoftmax, w.predictedSoftmax - w.truthSoftmax, confidence, w.loss))
    }
}

/// Every image of `check`'s duplicate groups but the first of each, with that first image as its partner: label
/// conflicts first, then leaks, then duplicates within a class.
func duplicateItems(_ audit: DatasetAudit, _ dataset: Dataset) -> [ReviewItem] {
    func rank(_ kind: DuplicateGroup.Kind) -> Int { kind == .labelConflict ? 0 : kind == .leak ? 1 : 2 }
    return audit.tasks.flatMap { taskAudit -> [ReviewItem] in
        let task = dataset.tasks[taskAudit.task]
        let groups = (taskAudit.exact.map { ($0, "exact") } + taskAudit.near.map { ($0, "near") }).sorted { rank($0.0.kind) < rank($1.0.kind) }
        return groups.flatMap { group, how -> [ReviewItem] in
            let first = group.members[0]
            let kind = group.kind == .labelConflict ? "label conflict" : group.kind == .leak ? "train/val leak" : "duplicate within a class"
            return group.members.dropFirst().map { m in
                let distance = how == "near" ? " (\(group.distance) bits apart)" : ""
                return ReviewItem(image: m.image, task: taskAudit.task, truth: m.label, proposed: first.label == m.label ? nil : first.label,
                                  partner: first.image,
                                  facts: "\(m.isTrain ? "train" : "val") · truth \(task.classes[m.label]) · \(how) \(kind)\(distance) · partner "
                                      + "\(dataset.shownFile(first.image)) (\(task.classes[first.label]), \(first.isTrain ? "train" : "val"))")
            }
        }
    }
}
