import Engine
import Foundation
import MTMC

let calibrateCommand = Command("calibrate", usage: "calibrate [TASK]",
                               summary: "from the last val eval: per-class raw output → precision tables, temperature scaling, ECE",
                               example: "calibrate 印花") { session, args in
    guard args.count <= 1 else { throw calibrateCommand.usageError() }
    let evaluations = session.evaluations.filter { $0.phase == "val" }
    guard !evaluations.isEmpty else { throw CommandError("calibrate: no validation results yet; run eval first") }
    var chosen = evaluations
    if let name = args.first {
        chosen = evaluations.filter { $0.taskName == name }
        guard !chosen.isEmpty else {
            throw CommandError("calibrate: no task '\(name)'; tasks: " + evaluations.map(\.taskName).joined(separator: ", "))
        }
    }
    let o = session.settings.calibration
    var lines = ["precision from \(o.fit.rawValue) fit, levels read from the \(o.mode == .estimate ? "estimate" : "Wilson 95 % lower bound") "
                 + "with ≥ \(o.minimumSupport) samples at or above the threshold (set calibfit, calibrate, calibmin)"]
    let calibrations = chosen.map { TaskCalibration(task: $0.taskName, classes: $0.classes, logits: $0.logits, labels: $0.labels, options: o) }
    // A validation set too small for every class of every task is said once, not once per task.
    let tooSmall = calibrations.count > 1 && calibrations.allSatisfy { TaskWeaknesses($0).shared.contains(.fewImages) }
    if tooSmall {
        let enough = CalibrationWeakness.supportFactor * o.minimumSupport
        lines.append("the validation set is too small: in every task every class has fewer than \(enough) validation images "
                     + "(\(CalibrationWeakness.supportFactor) × calibmin), so every table rests on few samples; more validation images would help every class")
    }
    for calibration in calibrations {
        session.calibration.removeAll { $0.task == calibration.task }
        session.calibration.append(calibration)
        lines.append(taskCalibrationReport(calibration, detailed: false, omitting: tooSmall ? [.fewImages] : []))
    }
    lines.append("show calib CLASS shows a class's table and curve; predict now lists every class at confidence ≥ \(session.predictThreshold)")
    session.out.print(lines.joined(separator: "\n"))
}

/// A task's ECE figures, class summary, held-out check of the tables and weak classes: named, or in
/// detail with what would help (`show calib TASK`).
func taskCalibrationReport(_ c: TaskCalibration, detailed: Bool, omitting said: [CalibrationWeakness.Reason] = []) -> String {
    var lines = [String(format: "task %@: temperature %.3f; ECE (15 bins) %.4f before, %.4f after temperature scaling in-sample, "
                        + "%.4f cross-fitted (T %.3f and %.3f, each fitted on the other half of val)",
                        c.task, c.temperature, c.eceBefore, c.eceAfter, c.eceCrossFitted, c.foldTemperatures[0], c.foldTemperatures[1])]
    lines.append(calibrationSummary(c))
    let total = c.heldOutTotal
    if let rate = total.holdRate {
        lines.append(String(format: "  held out: tables built on one half of val reach their level on the other half at %d of %d levels (%.0f%%)",
                            total.held, total.checked, 100 * rate)
                     + (total.meanShortfall.map { String(format: "; the others miss by %.3f on average", $0) } ?? ""))
    }
    let weak = TaskWeaknesses(c)
    lines += weak.sharedLines(minimumSupport: c.options.minimumSupport, omitting: said).map { "  " + $0 }
    if detailed {
        lines += weakClassLines(c, weak)
    } else if !weak.flagged.isEmpty {
        lines.append("  weak tables: " + weak.flagged.map { c.classes[$0.index] }.joined(separator: ", ") + " (show calib \(c.task) says why and what would help)")
    }
    return lines.joined(separator: "\n")
}

/// One row per class: samples, levels reached, the best level with its support and lower bound, the raw
/// output needed for 50 %, 80 %, 90 %, and how its levels held on held-out halves.
func calibrationSummary(_ c: TaskCalibration) -> String {
    func at(_ level: Double, _ table: ClassCalibration) -> String {
        guard let i = precisionLevels.firstIndex(where: { abs($0 - level) < 1e-9 }), let t = table.levels[i].threshold else { return "—" }
        return String(format: "%.2f", t)
    }
    let rows = c.classes.indices.map { i -> [String] in
        let table = c.tables[i], best = table.best
        let held = c.heldOut[i].checked == 0 ? "—" : "\(c.heldOut[i].held)/\(c.heldOut[i].checked)"
        return [c.classes[i], "\(table.positives)", "\(table.reachedCount)/45", best.map { String(format: "%.2f", $0.level) } ?? "—",
                best.map { "\($0.support)" } ?? "—", best.map { String(format: "%.2f", $0.lowerBound) } ?? "—",
                at(0.5, table), at(0.8, table), at(0.9, table), held]
    }
    return Table(headers: ["class", "n", "levels", "best", "n@best", "lo95@best", "raw@0.50", "raw@0.80", "raw@0.90", "held out"],
                 rows: rows, rightAligned: Set(1...9)).render()
}

/// "weak: CLASS — why; would help: …" for each class with a weakness of its own.
func weakClassLines(_ c: TaskCalibration, _ weak: TaskWeaknesses) -> [String] {
    weak.flagged.map { i, weakness, reasons in
        var why = reasons.map(weakness.text)
        if let first = weakness.firstUnreached, let reason = first.unreachable {
            why.append(String(format: "%.2f and above: %@", first.level, reason.rawValue))
        }
        return "  weak: \(c.classes[i]) — \(why.joined(separator: "; ")); would help: \(weakness.advice(for: reasons))"
    }
}
