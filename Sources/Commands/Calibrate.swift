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
    var lines: [String] = []
    for e in chosen {
        let calibration = TaskCalibration(task: e.taskName, classes: e.classes, logits: e.logits, labels: e.labels)
        session.calibration.removeAll { $0.task == e.taskName }
        session.calibration.append(calibration)
        lines.append(String(format: "task %@: temperature %.3f; ECE (15 bins) %.4f before, %.4f after temperature scaling",
                            e.taskName, calibration.temperature, calibration.eceBefore, calibration.eceAfter))
        lines.append(calibrationSummary(calibration))
        if !calibration.tooFew.isEmpty {
            lines.append("  too few validation samples (< \(TaskCalibration.minimumSamples)) to say much: " + calibration.tooFew.joined(separator: ", "))
        }
    }
    lines.append("show calib CLASS shows a class's table and curve; predict now lists every class at confidence ≥ \(session.predictThreshold)")
    session.out.print(lines.joined(separator: "\n"))
}

/// One row per class: samples, how many of the 45 levels are reached, and the raw output needed for 50 %, 80 %, 90 %.
func calibrationSummary(_ c: TaskCalibration) -> String {
    func at(_ level: Double, _ table: ClassCalibration) -> String {
        guard let i = precisionLevels.firstIndex(where: { abs($0 - level) < 1e-9 }), let t = table.thresholds[i] else { return "—" }
        return String(format: "%.2f", t)
    }
    let rows = c.classes.indices.map { i -> [String] in
        let table = c.tables[i]
        let reached = table.thresholds.compactMap { $0 }.count
        let top = table.thresholds.lastIndex { $0 != nil }.map { String(format: "%.2f", precisionLevels[$0]) } ?? "—"
        return [c.classes[i], "\(table.positives)", "\(reached)/45", top, at(0.5, table), at(0.8, table), at(0.9, table)]
    }
    return Table(headers: ["class", "n", "levels", "best", "raw@0.50", "raw@0.80", "raw@0.90"], rows: rows,
                 rightAligned: [1, 2, 3, 4, 5, 6]).render()
}

let showCommand = Command("show", usage: "show calib CLASS [TASK] | show calib TASK",
                          summary: "a class's calibration table and precision curve, or a task's classes at a glance",
                          example: "show calib 条纹", completions: ["calib"]) { session, args in
    guard args.first == "calib", (2...3).contains(args.count) else { throw showCommand.usageError() }
    guard !session.calibration.isEmpty else { throw CommandError("show calib: nothing calibrated yet; run eval, then calibrate") }
    let name = args[1]
    if args.count == 2, let task = session.calibration.first(where: { $0.task == name }) {
        session.out.print("task \(task.task): " + String(format: "temperature %.3f, ECE %.4f → %.4f", task.temperature, task.eceBefore, task.eceAfter)
                          + "\n" + calibrationSummary(task))
        return
    }
    var holders = session.calibration.filter { $0.classes.contains(name) }
    if args.count == 3 {
        holders = holders.filter { $0.task == args[2] }
        guard session.calibration.contains(where: { $0.task == args[2] }) else {
            throw CommandError("show calib: no calibrated task '\(args[2])'; tasks: " + session.calibration.map(\.task).joined(separator: ", "))
        }
    }
    guard let task = holders.first else {
        let all = session.calibration.flatMap(\.classes)
        let prefixed = all.filter { $0.hasPrefix(name) || name.hasPrefix($0) }
        let near = prefixed.isEmpty && name.count >= 3 ? all.filter { editDistance($0, name) <= name.count / 3 } : prefixed
        let listing = session.calibration.map { "\($0.task): " + $0.classes.joined(separator: " ") }.joined(separator: "; ")
        throw CommandError("show calib: no class '\(name)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
                           + " Classes: " + listing)
    }
    guard holders.count == 1 else {
        throw CommandError("show calib: class '\(name)' is in several tasks (\(holders.map(\.task).joined(separator: ", "))); add the task: show calib \(name) \(holders[0].task)")
    }
    let index = task.classes.firstIndex(of: name)!
    session.out.print(classCalibrationReport(task, index, evaluation: session.evaluations.first { $0.taskName == task.task && $0.phase == "val" }))
}

/// The 45-level table of one class and its precision curve drawn with block characters.
func classCalibrationReport(_ task: TaskCalibration, _ index: Int, evaluation: TaskEvaluation?) -> String {
    let table = task.tables[index]
    var lines = ["class \(task.classes[index]) (task \(task.task)): \(table.positives) validation samples of this class"]
    var rows: [[String]] = []
    for (i, level) in precisionLevels.enumerated() {
        rows.append([String(format: "%.2f", level), table.thresholds[i].map { String(format: "%.3f", $0) } ?? "not reached",
                     table.thresholds[i] == nil ? "" : "\(table.support[i])"])
    }
    // Three columns of 15 levels keep the table on one screen.
    let third = (rows.count + 2) / 3
    var merged: [[String]] = []
    for r in 0..<third {
        var row: [String] = []
        for c in 0..<3 { row += r + c * third < rows.count ? rows[r + c * third] : ["", "", ""] }
        merged.append(row)
    }
    lines.append(Table(headers: ["level", "raw ≥", "n", "level", "raw ≥", "n", "level", "raw ≥", "n"], rows: merged,
                       rightAligned: Set(0..<9)).render())
    lines.append("  n: validation samples with raw output at or above the threshold")
    if let e = evaluation {
        let k = e.classes.count
        let scores = (0..<e.labels.count).map { Double(e.logits.scalars[$0 * k + index]) }
        lines.append(precisionCurve(scores: scores, isPositive: e.labels.map { $0 == index }))
    }
    return lines.joined(separator: "\n")
}

/// Precision (monotone envelope) against raw output, as a block-character chart 60 columns wide and 10 rows high.
func precisionCurve(scores: [Double], isPositive: [Bool], width: Int = 60, height: Int = 10) -> String {
    let points = ClassCalibration.curve(scores: scores, isPositive: isPositive)
    guard let lo = scores.min(), let hi = scores.max(), hi > lo else { return "  (no spread of raw outputs to draw)" }
    // Column x holds the envelope at the threshold of its left edge: precision of predictions with raw ≥ t.
    let columns: [Double] = (0..<width).map { x in
        let t = lo + (hi - lo) * Double(x) / Double(width)
        return points.last { $0.threshold >= t }?.monotone ?? points.first?.monotone ?? 0
    }
    let blocks = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    var lines = ["  precision against raw output (monotone)"]
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

let exportCommand = Command("export", usage: "export calib PATH",
                            summary: "write the calibration as JSON in the original's shape, one object keyed by task",
                            example: "export calib calibration.json", completions: ["calib"]) { session, args in
    guard args.count == 2, args[0] == "calib" else { throw exportCommand.usageError() }
    guard !session.calibration.isEmpty else { throw CommandError("export calib: nothing calibrated yet; run eval, then calibrate") }
    let path = session.resolve(args[1])
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("export calib: folder \((args[1] as NSString).deletingLastPathComponent) does not exist")
    }
    let text = calibrationExportJSON(session.calibration)
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw CommandError("export calib: cannot write \(args[1]): \((error as NSError).localizedDescription)")
    }
    session.out.print("wrote \(args[1]): tasks " + session.calibration.map(\.task).joined(separator: ", ") + ", 45 levels per class (null: level not reached)")
}

/// `{"TASK": {"class_idx_dict": {"0": name, …}, "pvals": [0.1, …, 0.98], "ptmat_dict": {name: [45 thresholds or null]}}, …}`,
/// UTF-8 with Chinese names unescaped.
public func calibrationExportJSON(_ calibration: [TaskCalibration]) -> String {
    func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    let tasks = calibration.map { c -> String in
        let index = c.classes.enumerated().map { "\(jsonQuoted(String($0.offset))): \(jsonQuoted($0.element))" }.joined(separator: ", ")
        let pvals = precisionLevels.map(number).joined(separator: ", ")
        let matrix = c.classes.enumerated().map { i, name in
            "\(jsonQuoted(name)): [" + c.tables[i].thresholds.map { $0.map(number) ?? "null" }.joined(separator: ", ") + "]"
        }.joined(separator: ",\n      ")
        return "  \(jsonQuoted(c.task)): {\n    \"class_idx_dict\": {\(index)},\n    \"pvals\": [\(pvals)],\n    \"ptmat_dict\": {\n      \(matrix)\n    }\n  }"
    }
    return "{\n" + tasks.joined(separator: ",\n") + "\n}\n"
}
