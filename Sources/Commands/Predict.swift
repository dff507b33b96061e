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

/// Predictions for a set of images: per image, per task, every class's scores; and the images that could not be read.
public struct PredictionReport {
    public var results: [(path: String, tasks: [(task: String, scores: [ClassScore])])] = []
    public var failures: [String] = []
    public var calibrated = false

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

    /// One JSON object per image: {"image": path, "tasks": {task: [{"class", "raw", "softmax", "confidence"}]}}.
    public func jsonLines() -> [String] {
        results.map { result in
            var tasks: [String: Any] = [:]
            for (task, scores) in result.tasks {
                tasks[task] = scores.map { s -> [String: Any] in
                    // JSON has no NaN or infinity: a diverged model's values are null, not a failed (empty) line.
                    func number(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
                    var o: [String: Any] = ["class": s.name, "raw": number(s.raw), "softmax": number(s.softmax)]
                    o["confidence"] = s.confidence ?? NSNull()
                    return o
                }
            }
            let object: [String: Any] = ["image": result.path, "tasks": tasks]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// The image files named by `paths` (a folder means every image in it, sorted by code point), with the
/// path to show for each; folders without images are reported in `failures`.
func imageFiles(_ paths: [String], shown: [String]) -> (files: [(path: String, shown: String)], failures: [String]) {
    var files: [(path: String, shown: String)] = [], failures: [String] = []
    for (path, label) in zip(paths, shown) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = sortedByCodePoint((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            if names.isEmpty { failures.append("\(label): no images in this folder") }
            files += names.map { ((path as NSString).appendingPathComponent($0), (label as NSString).appendingPathComponent($0)) }
        } else {
            files.append((path, label))
        }
    }
    return (files, failures)
}

/// Decodes the images (a folder means every image in it), runs the model once per task, and scores every class,
/// `batchSize` images at a time: each batch's report (its results and unreadable images) goes to `emit` before
/// the next is decoded, so a folder of any size takes the memory of one batch.
public func predictImages(_ paths: [String], shown: [String], model: MultiTaskModel, tasks: [TaskClasses], settings: TrainingSettings,
                          normalization: Normalization, calibration: [TaskCalibration], pixelLimit: Int, batchSize: Int = 64,
                          emit: (PredictionReport) throws -> Void) throws {
    let (files, folderFailures) = imageFiles(paths, shown: shown)
    let decoder = ImageDecoder(pixelLimit: pixelLimit, targetSize: Dataset.cacheSize(forInput: (settings.inputWidth, settings.inputHeight)))
    var start = 0
    repeat {
        var report = PredictionReport()
        report.calibrated = !calibration.isEmpty
        if start == 0 { report.failures = folderFailures }
        var images: [RGBImage] = [], kept: [String] = []
        for file in files[start..<min(start + batchSize, files.count)] {
            do {
                images.append(try decoder.decode(file: file.path))
                kept.append(file.shown)
            } catch let error as ImageError {
                report.failures.append("\(file.shown): \(error.reason)")
            }
        }
        let logits = try predictLogits(model, images: images, inputSize: (settings.inputWidth, settings.inputHeight), normalization: normalization)
        for (i, path) in kept.enumerated() {
            let perTask = tasks.enumerated().map { t, task -> (String, [ClassScore]) in
                let k = task.classes.count
                let row = Array(logits[t].scalars[(i * k)..<((i + 1) * k)])
                // Tables for other classes (a stale or foreign calibration) are not applied.
                let tables = calibration.first { $0.task == task.name && $0.classes == task.classes }
                return (task.name, classScores(logits: row, classes: task.classes, calibration: tables))
            }
            report.results.append((path, perTask))
        }
        try emit(report)
        start += batchSize
    } while start < files.count
}
