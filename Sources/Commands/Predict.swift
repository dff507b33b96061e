import Engine
import Foundation
import MTMC
import Vision

let predictCommand = Command("predict", usage: "predict [--tsv FILE] PATH...",
                             summary: "per image and task: top classes with raw output, softmax and calibrated confidence",
                             example: "predict samples/predict") { session, args in
    var paths = args, tsv: String?
    if let i = paths.firstIndex(of: "--tsv") {
        guard i + 1 < paths.count else { throw predictCommand.usageError() }
        tsv = paths[i + 1]
        paths.removeSubrange(i...(i + 1))
    }
    guard !paths.isEmpty else { throw predictCommand.usageError() }
    let trainer = try session.requireModel("predict")
    // Text is printed batch by batch; the TSV's rows (small) are kept and written atomically at the end.
    var tsvText = "", rows = 0, predicted = 0, calibrated = false
    try predictImages(paths.map(session.resolve), shown: paths, model: trainer.model, tasks: session.modelTasks,
                      settings: session.settings.training, normalization: trainer.normalization,
                      calibration: session.calibration, pixelLimit: session.settings.pixelLimit) { report in
        calibrated = report.calibrated
        predicted += report.results.count
        let text = report.text(threshold: Double(session.predictThreshold), note: false)
        if !text.isEmpty { session.out.print(text) }
        if tsv != nil {
            tsvText += report.tsv(header: tsvText.isEmpty)
            rows += report.results.count * session.modelTasks.count
        }
    }
    if !calibrated && predicted > 0 { session.out.print(PredictionReport.uncalibratedNote) }
    if let tsv {
        do { try writeAtomically(Data(tsvText.utf8), to: session.resolve(tsv)) } catch { throw CommandError("predict: \(error)") }
        session.out.print("wrote \(rows) rows to \(tsv)")
    }
}

/// How `predict` shows a report: a table per image, TSV rows, JSON lines.
extension PredictionReport {
    /// Per image a small table per task: the argmax always, then every class whose calibrated confidence
    /// reaches `threshold` (or, uncalibrated, the next two by raw output).
    public func text(threshold: Double, note: Bool = true) -> String {
        var lines: [String] = []
        for result in results {
            lines.append(result.path)
            var rows: [[String]] = []
            for (task, scores) in result.tasks {
                let shown = calibrated
                    ? [scores[0]] + scores.dropFirst().filter { ($0.confidence ?? 0) >= threshold }
                    : Array(scores.prefix(3))
                for (i, s) in shown.enumerated() {
                    rows.append([i == 0 ? task : "", s.name, String(format: "%.3f", s.raw), String(format: "%.3f", s.softmax)]
                                + (calibrated ? [s.confidence.map { $0 > 0 ? String(format: "%.2f", $0) : "<0.10" } ?? ""] : []))
                }
            }
            let headers = ["task", "class", "raw", "softmax"] + (calibrated ? ["confidence"] : [])
            lines.append(Table(headers: headers, rows: rows, rightAligned: [2, 3, 4]).render())
        }
        lines += failures.map { "skipped \($0)" }
        if note && !calibrated && !results.isEmpty { lines.append(Self.uncalibratedNote) }
        return lines.joined(separator: "\n")
    }

    public static let uncalibratedNote = "(not calibrated: eval, then calibrate, adds calibrated confidence)"

    /// One tab-separated row per image and task: the top class and its scores, then every class's raw output.
    public func tsv(header: Bool = true) -> String {
        var lines = header ? ["image\ttask\tclass\traw\tsoftmax\tconfidence\tall raw outputs"] : []
        for result in results {
            for (task, scores) in result.tasks {
                let top = scores[0]
                let all = scores.sorted { $0.classIndex < $1.classIndex }.map { "\($0.name)=\(String(format: "%.4f", $0.raw))" }.joined(separator: " ")
                lines.append([result.path, task, top.name, String(format: "%.4f", top.raw), String(format: "%.4f", top.softmax),
                              top.confidence.map { String(format: "%.2f", $0) } ?? "", all].joined(separator: "\t"))
            }
        }
        return lines.isEmpty ? "" : (header ? "\u{FEFF}" : "") + lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object per image: {"image": path, "backbone_passes": n, "tasks": {task: [{"class", "raw", "softmax",
    /// "confidence"}]}} (n: the backbone passes the image cost for every task); calibrated, also "above": {task: [classes whose calibrated confidence reaches `threshold`]}.
    public func jsonLines(threshold: Double = 0.5) -> [String] {
        results.map { result in
            var tasks: [String: Any] = [:], above: [String: [String]] = [:]
            for (task, scores) in result.tasks {
                tasks[task] = scores.map { s -> [String: Any] in
                    // JSON has no NaN or infinity: a diverged model's values are null, not a failed (empty) line.
                    func number(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
                    var o: [String: Any] = ["class": s.name, "raw": number(s.raw), "softmax": number(s.softmax)]
                    o["confidence"] = s.confidence ?? NSNull()
                    return o
                }
                above[task] = scores.filter { ($0.confidence ?? -1) >= threshold }.map(\.name)
            }
            var object: [String: Any] = ["image": result.path, "backbone_passes": backbonePasses, "tasks": tasks]
            if calibrated { object["above"] = above }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

