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
    let report = try predictImages(paths.map(session.resolve), shown: paths, model: trainer.model, tasks: session.modelTasks,
                                   settings: session.settings, normalization: trainer.normalization,
                                   calibration: session.calibration, pixelLimit: session.pixelLimit)
    session.out.print(report.text(threshold: Double(session.predictThreshold)))
    if let tsv {
        let path = session.resolve(tsv)
        do {
            try report.tsv().write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError("predict: cannot write \(tsv): \((error as NSError).localizedDescription)")
        }
        session.out.print("wrote \(report.results.count * session.modelTasks.count) rows to \(tsv)")
    }
}

/// Predictions for a set of images: per image, per task, every class's scores; and the images that could not be read.
public struct PredictionReport {
    public var results: [(path: String, tasks: [(task: String, scores: [ClassScore])])] = []
    public var failures: [String] = []
    public var calibrated = false

    /// Per image a small table per task: the argmax always, then every class whose calibrated confidence
    /// reaches `threshold` (or, uncalibrated, the next two by raw output).
    public func text(threshold: Double) -> String {
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
        if !calibrated && !results.isEmpty { lines.append("(not calibrated: eval, then calibrate, adds calibrated confidence)") }
        return lines.joined(separator: "\n")
    }

    /// One tab-separated row per image and task: the top class and its scores, then every class's raw output.
    public func tsv() -> String {
        var lines = ["image\ttask\tclass\traw\tsoftmax\tconfidence\tall raw outputs"]
        for result in results {
            for (task, scores) in result.tasks {
                let top = scores[0]
                let all = scores.sorted { $0.classIndex < $1.classIndex }.map { "\($0.name)=\(String(format: "%.4f", $0.raw))" }.joined(separator: " ")
                lines.append([result.path, task, top.name, String(format: "%.4f", top.raw), String(format: "%.4f", top.softmax),
                              top.confidence.map { String(format: "%.2f", $0) } ?? "", all].joined(separator: "\t"))
            }
        }
        return "\u{FEFF}" + lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object per image: {"image": path, "tasks": {task: [{"class", "raw", "softmax", "confidence"}]}}.
    public func jsonLines() -> [String] {
        results.map { result in
            var tasks: [String: Any] = [:]
            for (task, scores) in result.tasks {
                tasks[task] = scores.map { s -> [String: Any] in
                    var o: [String: Any] = ["class": s.name, "raw": s.raw, "softmax": s.softmax]
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

/// Decodes the images (a folder means every image in it), runs the model once per task, and scores every class.
/// Unreadable or broken images are reported in `failures`; the others are still predicted.
public func predictImages(_ paths: [String], shown: [String], model: MultiTaskModel, tasks: [TaskClasses], settings: TrainingSettings,
                          normalization: Normalization, calibration: [TaskCalibration], pixelLimit: Int) throws -> PredictionReport {
    var report = PredictionReport()
    report.calibrated = !calibration.isEmpty
    var files: [(path: String, shown: String)] = []
    for (path, label) in zip(paths, shown) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = sortedByCodePoint((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            if names.isEmpty { report.failures.append("\(label): no images in this folder") }
            files += names.map { ((path as NSString).appendingPathComponent($0), (label as NSString).appendingPathComponent($0)) }
        } else {
            files.append((path, label))
        }
    }
    let decoder = ImageDecoder(pixelLimit: pixelLimit, targetSize: Dataset.cacheSize(forInput: (settings.inputWidth, settings.inputHeight)))
    var images: [RGBImage] = [], kept: [String] = []
    for file in files {
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
            let cal = calibration.first { $0.task == task.name }
            return (task.name, classScores(logits: row, classes: task.classes, calibration: cal))
        }
        report.results.append((path, perTask))
    }
    return report
}
