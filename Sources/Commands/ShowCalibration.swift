import Foundation
import MTMC

/// show calib CLASS [TASK] | show calib TASK: a class's calibration table and precision curve, or a task's classes at a glance.
func showCalibration(_ session: Session, _ args: [String]) throws {
    guard (2...3).contains(args.count) else { throw showCommand.usageError(args) }
    guard !session.calibration.isEmpty else { throw CommandError("show calib: nothing calibrated yet; run eval, then calibrate") }
    let name = args[1]
    if args.count == 2, let task = session.calibration.first(where: { $0.task == name }) {
        session.out.print(taskCalibrationReport(task, detailed: true))
        return
    }
    let task = try calibratedTask(holding: name, in: args.count == 3 ? args[2] : nil, session)
    let index = task.classes.firstIndex(of: name)!
    session.out.print(classCalibrationReport(task, index, evaluation: session.evaluations.first { $0.taskName == task.task && $0.phase == "val" }))
}

/// The one calibrated task holding class `name` (in `taskName` when given), or an error naming the real problem.
private func calibratedTask(holding name: String, in taskName: String?, _ session: Session) throws -> TaskCalibration {
    let tasks = session.calibration.map { TaskClasses(name: $0.task, classes: $0.classes) }
    return session.calibration[try lookUpClass(name, task: taskName, in: tasks, command: "show calib").task]
}

/// The 45-level table of one class (threshold, support, Wilson lower bound), why levels are not
/// reached, and its precision curve drawn with block characters.
func classCalibrationReport(_ task: TaskCalibration, _ index: Int, evaluation: TaskEvaluation?) -> String {
    let table = task.tables[index]
    var lines = ["class \(task.classes[index]) (task \(task.task)): \(table.positives) validation samples of this class, "
                 + "\(table.reachedCount)/45 levels (\(task.options.fit.rawValue), \(task.options.mode.rawValue), calibmin \(task.options.minimumSupport))"]
    let rows = table.levels.map { l -> [String] in
        guard let t = l.threshold else { return [String(format: "%.2f", l.level), "—", "", ""] }
        return [String(format: "%.2f", l.level), String(format: "%.3f", t), "\(l.support)", String(format: "%.2f", l.lowerBound)]
    }
    // Three columns of 15 levels keep the table on one screen.
    let third = (rows.count + 2) / 3
    let empty = ["", "", "", ""]
    var merged: [[String]] = []
    for r in 0..<third {
        var row: [String] = []
        for c in 0..<3 { row += r + c * third < rows.count ? rows[r + c * third] : empty }
        merged.append(row)
    }
    let headers = ["level", "raw ≥", "n", "lo95"]
    lines.append(Table(headers: headers + headers + headers, rows: merged,
                       rightAligned: Set(0..<12)).render())
    lines.append("  n: validation samples with raw output at or above the threshold; lo95: Wilson 95 % lower bound of their precision")
    lines += unreachedLines(table, minimumSupport: task.options.minimumSupport)
    if let e = evaluation {
        let k = e.classes.count
        let scores = (0..<e.labels.count).map { Double(e.logits.scalars[$0 * k + index]) }
        lines.append(precisionCurveChart(PrecisionCurve(scores: scores, isPositive: e.labels.map { $0 == index }, fit: task.options.fit)))
    }
    return lines.joined(separator: "\n")
}

/// "levels 0.92–0.98: too few samples (…)" for each run of unreached levels with the same reason.
func unreachedLines(_ table: ClassCalibration, minimumSupport: Int) -> [String] {
    var runs: [(first: Double, last: Double, reason: CalibrationLevel.Unreachable)] = []
    for l in table.levels {
        guard let reason = l.unreachable else { continue }
        if let last = runs.last, last.reason == reason { runs[runs.count - 1].last = l.level } else { runs.append((l.level, l.level, reason)) }
    }
    return runs.map { run in
        let span = run.first == run.last ? String(format: "level %.2f", run.first) : String(format: "levels %.2f–%.2f", run.first, run.last)
        let detail = run.reason == .tooFewSamples ? " (the estimate gets there on fewer than \(minimumSupport) samples, or its lower bound does not)" : ""
        return "  \(span): not reached, \(run.reason.rawValue)\(detail)"
    }
}

/// The precision estimate against raw output, as a block-character chart 60 columns wide and 10 rows high.
func precisionCurveChart(_ curve: PrecisionCurve, width: Int = 60, height: Int = 10) -> String {
    guard let lo = curve.points.last?.threshold, let hi = curve.points.first?.threshold, hi > lo else { return "  (no spread of raw outputs to draw)" }
    // Column x holds the estimate at the threshold of its left edge.
    let columns: [Double] = (0..<width).map { x in
        let t = lo + (hi - lo) * Double(x) / Double(width)
        return curve.points.last { $0.threshold >= t }?.estimate ?? curve.points.first?.estimate ?? 0
    }
    let blocks = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    var lines = ["  precision estimate against raw output"]
    for row in (0..<height).reversed() {
        let label = row == height - 1 ? "1.0 ┤" : row == 0 ? "0.0 ┤" : row == height / 2 ? "0.5 ┤" : "    │"
        let cells = columns.map { value -> String in
            let filled = value * Double(height) - Double(row)
            return blocks[max(0, min(8, Int((filled * 8).rounded())))]
        }
        lines.append("  " + label + cells.joined())
    }
    lines.append("      └" + String(repeating: "─", count: width))
    lines.append("       " + padded(String(format: "%.2f", lo), to: width - 6) + String(format: "%6.2f", hi) + "  raw output")
    return lines.joined(separator: "\n")
}
