import Foundation
import MTMC

let showCommand = Command("show", usage: "show calib CLASS [TASK] | show calib TASK | show confused TASK [N] | show report TASK | show worst TASK [N] | show why IMG [TASK] [--class NAME] | show data [TASK] | show broken | show class CLASS [TASK] | show augment IMG [N]",
                          summary: "calibration tables; the most confused class pairs; per-class precision, recall and F1; the images with the highest loss; a Grad-CAM heat map; the dataset per task and class; skipped and broken files; one class; augmented views of an image",
                          example: "show data 印花", completions: ["data", "broken", "class", "augment", "calib", "confused", "report", "worst", "why"]) { session, args in
    switch args.first {
    case "data": try showData(session, args)
    case "broken": try showBroken(session, args)
    case "class": try showClass(session, args)
    case "augment": try showAugment(session, args)
    case "calib": try showCalibration(session, args)
    case "confused": try showConfused(session, args)
    case "report": try showReport(session, args)
    case "worst": try showWorst(session, args)
    case "why": try showWhy(session, args)
    default: throw showCommand.usageError(args)
    }
}

/// show confused TASK [N]: the N (default 10) most frequent true → predicted mix-ups of the last evaluation.
private func showConfused(_ session: Session, _ args: [String]) throws {
    let (e, limit) = try taskAndCount(args, "show confused", session)
    let pairs = mostConfusedPairs(e, limit: limit)
    guard !pairs.isEmpty else {
        session.out.print("task \(e.taskName) (\(e.phase), \(e.labels.count) images): no confusion, every image is predicted as its class")
        return
    }
    let rows = pairs.map { [$0.truth, $0.predicted, "\($0.count)", percent($0.share)] }
    session.out.print("task \(e.taskName) (\(e.phase), \(e.labels.count) images): the most confused pairs\n"
                      + Table(headers: ["true", "predicted as", "images", "of the true class"], rows: rows, rightAligned: [2, 3]).render())
}

/// show report TASK: precision, recall, F1 and support per class with averages, also written as a TSV beside the eval logs.
private func showReport(_ session: Session, _ args: [String]) throws {
    guard args.count == 2 else { throw showCommand.usageError(args) }
    let report = ClassReport(try evaluatedTask(args[1], "show report", session))
    func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
    var rows = report.rows.map { [$0.name, f($0.precision), f($0.recall), f($0.f1), "\($0.support)"] }
    let support = "\(report.rows.reduce(0) { $0 + $1.support })"
    rows.append(["macro avg", f(report.macro.precision), f(report.macro.recall), f(report.macro.f1), support])
    rows.append(["weighted avg", f(report.weighted.precision), f(report.weighted.recall), f(report.weighted.f1), support])
    var lines = ["task \(report.task) (\(report.phase)):",
                 Table(headers: ["class", "precision", "recall", "F1", "support"], rows: rows, rightAligned: [1, 2, 3, 4]).render(),
                 "  balanced accuracy \(percent(report.balancedAccuracy))  top-1 \(percent(report.top1))  top-2 \(percent(report.top2))"]
    if report.rows.contains(where: { $0.precision == nil || $0.recall == nil }) {
        lines.append("  — undefined: a class never predicted has no precision, one without images no recall; averages count them as 0")
    }
    do {
        lines.append("  report: " + displayPath(try report.write(folder: session.resolve(session.settings.logsFolder)), session))
    } catch {
        lines.append("  report not written: \(error)")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// show worst TASK [N]: the N (default 10) images of the last evaluation with the highest loss, from its stored outputs.
private func showWorst(_ session: Session, _ args: [String]) throws {
    let worst = try worstOfTask(args, "show worst", session)
    let rows = worst.images.map { w -> [String] in
        [worst.file(w), worst.e.classes[w.truth], worst.e.classes[w.predicted], String(format: "%.3f", w.loss),
         String(format: "%.3f", w.truthSoftmax), String(format: "%.3f", w.predictedSoftmax), confidenceText(w.confidence)]
    }
    session.out.print("task \(worst.e.taskName) (\(worst.e.phase), \(worst.e.labels.count) images): the highest losses"
                      + (worst.calibrated ? "" : " (confidence: calibrate first)") + "\n"
                      + Table(headers: ["image", "true", "predicted", "loss", "p(true)", "p(pred)", "confidence"], rows: rows,
                              rightAligned: [3, 4, 5, 6]).render())
}

/// plot worst TASK [N]: the same images as a contact sheet captioned with truth, prediction and confidence.
func worstSheet(_ session: Session, _ args: [String]) throws -> ContactSheet {
    let worst = try worstOfTask(args, "plot worst", session)
    let items = worst.images.map { w in
        ContactSheet.Item(image: worst.dataset.cache.image(worst.samples[w.row].image), caption: worst.caption(w),
                          color: w.truth == w.predicted ? .black : RGB(200, 30, 30))
    }
    return ContactSheet(title: "\(worst.e.taskName) (\(worst.e.phase)): the \(items.count) highest losses", items: items)
}

private func confidenceText(_ confidence: Double?) -> String {
    confidence.map { $0 == 0 ? "<0.10" : String(format: "%.2f", $0) } ?? "—"
}

/// The worst images of a task's last evaluation, with what is needed to name and show them.
struct WorstOfTask {
    let e: TaskEvaluation
    let dataset: Dataset
    let samples: [Sample]
    let images: [WorstImage]
    let calibrated: Bool

    /// The image's file, relative to the dataset root.
    func file(_ w: WorstImage) -> String {
        let path = dataset.files[samples[w.row].image], root = dataset.root.hasSuffix("/") ? dataset.root : dataset.root + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }

    /// File name, truth and prediction with their softmax, loss and confidence, for a contact sheet.
    func caption(_ w: WorstImage) -> [String] {
        [(file(w) as NSString).lastPathComponent,
         "true \(e.classes[w.truth]) " + String(format: "p %.2f", w.truthSoftmax),
         "pred \(e.classes[w.predicted]) " + String(format: "p %.2f", w.predictedSoftmax),
         String(format: "loss %.2f  conf ", w.loss) + confidenceText(w.confidence)]
    }
}

func worstOfTask(_ args: [String], _ command: String, _ session: Session) throws -> WorstOfTask {
    let (e, limit) = try taskAndCount(args, command, session)
    guard let dataset = session.dataset else { throw CommandError("\(command): no dataset loaded; load it, then eval") }
    let samples = dataset.tasks.first { $0.name == e.taskName }.map { e.phase == "train" ? $0.train : $0.val } ?? []
    guard samples.count == e.labels.count, zip(samples, e.labels).allSatisfy({ $0.label == $1 }) else {
        throw CommandError("\(command): the loaded images differ from those of the last eval; run eval again")
    }
    let calibration = session.calibration.first { $0.task == e.taskName }
    return WorstOfTask(e: e, dataset: dataset, samples: samples, images: worstImages(e, limit: limit, calibration: calibration),
                       calibrated: calibration != nil)
}

/// TASK [N] after a sub-command: the task's last evaluation and N (default 10, at least 1).
func taskAndCount(_ args: [String], _ command: String, _ session: Session) throws -> (TaskEvaluation, Int) {
    guard (2...3).contains(args.count) else { throw (command.hasPrefix("plot") ? plotCommand : showCommand).usageError(args) }
    let limit = args.count == 3 ? Int(args[2]) : 10
    guard let limit, limit >= 1 else { throw CommandError("\(command): N must be a whole number from 1, got '\(args[2])'") }
    return (try evaluatedTask(args[1], command, session), limit)
}

/// The last evaluation of task `name`, or an error: no evaluation yet, or the nearest task names.
private func evaluatedTask(_ name: String, _ command: String, _ session: Session) throws -> TaskEvaluation {
    guard !session.evaluations.isEmpty else { throw CommandError("\(command): no evaluation yet; run eval first") }
    if let e = session.evaluations.first(where: { $0.taskName == name }) { return e }
    let names = session.evaluations.map(\.taskName)
    let near = names.filter { $0.hasPrefix(name) || name.hasPrefix($0) || editDistance($0, name) <= max(1, name.count / 3) }
    throw CommandError("\(command): no task '\(name)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
                       + " Tasks: " + names.joined(separator: ", "))
}
