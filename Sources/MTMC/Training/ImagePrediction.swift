import Engine
import Foundation
import Vision

/// Predictions for a set of images: per image, per task, every class's scores; and the images that could not be read.
public struct PredictionReport {
    public var results: [(path: String, tasks: [(task: String, scores: [ClassScore])])] = []
    public var failures: [String] = []
    public var calibrated = false
    /// Backbone passes each image cost to be answered for every task (`MultiTaskModel.passesPerImage`).
    public var backbonePasses = 1

    public init() {}
}

/// The image files named by `paths` (a folder means every image in it and in its sub-folders, by path
/// sorted by code point), with the path to show for each; folders without images are reported in `failures`.
public func imageFiles(_ paths: [String], shown: [String]) -> (files: [(path: String, shown: String)], failures: [String]) {
    var files: [(path: String, shown: String)] = [], failures: [String] = []
    for (path, label) in zip(paths, shown) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            var visited = Set<[UInt64]>()
            let relative = sortedByCodePoint(imagesBelow(path, visited: &visited))
            if relative.isEmpty { failures.append("\(label): no images in this folder or its sub-folders") }
            files += relative.map { ((path as NSString).appendingPathComponent($0), (label as NSString).appendingPathComponent($0)) }
        } else {
            files.append((path, label))
        }
    }
    return (files, failures)
}

/// Paths (relative to `folder`) of the images in `folder` and its sub-folders; dot-files and dot-folders are
/// left out, and a folder met again through a link (by device and inode) is not walked twice.
private func imagesBelow(_ folder: String, visited: inout Set<[UInt64]>) -> [String] {
    var info = stat()
    guard stat(folder, &info) == 0, visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return [] }
    var found: [String] = []
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !name.hasPrefix(".") {
        let path = (folder as NSString).appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            found += imagesBelow(path, visited: &visited).map { name + "/" + $0 }
        } else if imageExtensions.contains(fileExtension(name)) {
            found.append(name)
        }
    }
    return found
}

/// Decodes the images (a folder means every image in it), runs the model (one backbone pass for every task, or one per task with per-task statistics), and scores every class,
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
        report.backbonePasses = model.passesPerImage
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
        for (path, perTask) in zip(kept, imageScores(logits: logits, count: kept.count, tasks: tasks, calibration: calibration)) {
            report.results.append((path, perTask))
        }
        try emit(report)
        start += batchSize
    } while start < files.count
}

/// Per image (of `count`), per task: every class's scores from the per-task logits [images, classes].
public func imageScores(logits: [Tensor], count: Int, tasks: [TaskClasses], calibration: [TaskCalibration])
    -> [[(task: String, scores: [ClassScore])]] {
    (0..<count).map { i in
        tasks.enumerated().map { t, task -> (task: String, scores: [ClassScore]) in
            let k = task.classes.count
            let row = Array(logits[t].scalars[(i * k)..<((i + 1) * k)])
            // Tables for other classes (a stale or foreign calibration) are not applied.
            let tables = calibration.first { $0.task == task.name && $0.classes == task.classes }
            return (task.name, classScores(logits: row, classes: task.classes, calibration: tables))
        }
    }
}
