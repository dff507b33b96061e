import Foundation
import Vision

/// Sorts names by Unicode code point, as Python's `sorted` does, so class index i means the same
/// class in logs, checkpoints and exported maps made by either.
public func sortedByCodePoint(_ names: [String]) -> [String] {
    names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
}

/// The file extensions read as images (any case).
let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

/// The layout of a dataset tree (DESIGN.md §1), found without decoding anything:
/// ROOT/TASK/{train,val}/CLASS/images.
public struct DatasetTree {
    /// One image file to decode, with where it belongs.
    public struct ImageFile {
        public let path: String
        public let task: Int
        public let isTrain: Bool
        public let label: Int
    }

    public let root: String
    public let tasks: [String]
    /// Class names per task, sorted by code point.
    public let classes: [[String]]
    public let files: [ImageFile]
    /// Files that are not images (by extension), and sub-folders inside class folders, per task, split and class.
    public let skipped: [[String: [Int]]]
    /// Every skipped entry with why, in scan order.
    public let skippedFiles: [ImageError]

    /// Scans `root`; throws a `DatasetError` naming the path for every structural problem.
    public static func scan(_ root: String) throws -> DatasetTree {
        let fm = FileManager.default
        func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        func entries(_ path: String) throws -> [String] {
            do {
                return sortedByCodePoint(try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") })
            } catch {
                throw DatasetError("cannot list \(path): \(errorReason(error))")
            }
        }
        guard fm.fileExists(atPath: root) else { throw DatasetError("dataset root \(root) does not exist") }
        guard isFolder(root) else { throw DatasetError("dataset root \(root) is not a folder") }
        let tasks = try entries(root).filter { isFolder(root + "/" + $0) }
        guard !tasks.isEmpty else {
            throw DatasetError("no task folders in \(root): expected \(root)/TASK/train/CLASS/ and \(root)/TASK/val/CLASS/ holding images")
        }

        var classes: [[String]] = []
        var files: [ImageFile] = []
        var skipped: [[String: [Int]]] = []
        var skippedFiles: [ImageError] = []
        for (t, task) in tasks.enumerated() {
            let taskPath = root + "/" + task
            for split in ["train", "val"] where !isFolder(taskPath + "/" + split) {
                throw DatasetError("task \(task): missing folder \(taskPath)/\(split)")
            }
            let trainClasses = try entries(taskPath + "/train").filter { isFolder(taskPath + "/train/" + $0) }
            let valClasses = try entries(taskPath + "/val").filter { isFolder(taskPath + "/val/" + $0) }
            guard !trainClasses.isEmpty else { throw DatasetError("task \(task): no class folders in \(taskPath)/train") }
            let missingInVal = trainClasses.filter { !valClasses.contains($0) }
            let missingInTrain = valClasses.filter { !trainClasses.contains($0) }
            if !missingInVal.isEmpty || !missingInTrain.isEmpty {
                var parts: [String] = []
                if !missingInVal.isEmpty { parts.append("missing in val: " + missingInVal.joined(separator: ", ")) }
                if !missingInTrain.isEmpty { parts.append("missing in train: " + missingInTrain.joined(separator: ", ")) }
                throw DatasetError("task \(task): train and val hold different classes; " + parts.joined(separator: "; "))
            }
            var taskSkipped: [String: [Int]] = ["train": Array(repeating: 0, count: trainClasses.count),
                                                 "val": Array(repeating: 0, count: trainClasses.count)]
            for split in ["train", "val"] {
                for (label, name) in trainClasses.enumerated() {
                    let folder = "\(taskPath)/\(split)/\(name)"
                    var images = 0
                    for entry in try entries(folder) {
                        let path = folder + "/" + entry
                        let ext = (entry as NSString).pathExtension.lowercased()
                        if imageExtensions.contains(ext) && !isFolder(path) {
                            files.append(ImageFile(path: path, task: t, isTrain: split == "train", label: label))
                            images += 1
                        } else {
                            taskSkipped[split]![label] += 1
                            skippedFiles.append(ImageError(path: path, reason: isFolder(path) ? "a folder inside a class folder"
                                                           : "not an image (\(ext.isEmpty ? "no extension" : "." + ext); .jpg, .jpeg and .png are read)"))
                        }
                    }
                    if images == 0 && split == "train" {
                        throw DatasetError("task \(task): class \(name) has no images in \(folder)")
                    }
                }
            }
            classes.append(trainClasses)
            skipped.append(taskSkipped)
        }
        return DatasetTree(root: root, tasks: tasks, classes: classes, files: files, skipped: skipped, skippedFiles: skippedFiles)
    }
}
