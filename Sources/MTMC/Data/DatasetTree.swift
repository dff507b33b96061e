import Foundation
import Vision

/// Sorts names by Unicode code point, as Python's `sorted` does, so class index i means the same
/// class in logs, checkpoints and exported maps made by either.
public func sortedByCodePoint(_ names: [String]) -> [String] {
    names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
}

/// The file extensions read as images (any case).
public let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

/// The layout of a dataset tree (DESIGN.md §1), found without decoding anything:
/// ROOT/TASK/{train,val}/CLASS/images.
public struct DatasetTree {
    /// One image file to decode, with where it belongs.
    public struct ImageFile {
        public let path: String
        public let task: Int
        public let isTrain: Bool
        public let label: Int
        /// Bytes and modification time when the tree was scanned (size −1: the file could not be stat'ed),
        /// what a disk cache's manifest records.
        public let size: Int64
        public let modifiedNanoseconds: Int64
    }

    public let root: String
    public let tasks: [String]
    /// Each task's folder: ROOT/TASK, or ROOT itself for a single-task ImageFolder tree (ROOT/train/CLASS).
    public let taskFolders: [String]
    /// Per task, the share of each class's `train/` files held out for validation when the task has no
    /// `val/` folder; nil when it has one.
    public let valShares: [Double?]
    /// Class names per task, sorted by code point.
    public let classes: [[String]]
    public let files: [ImageFile]
    /// Files that are not images (by extension), and sub-folders inside class folders, per task, split and class.
    public let skipped: [[String: [Int]]]
    /// Every skipped entry with why, in scan order.
    public let skippedFiles: [ImageError]

    /// Whether `root` is a single-task ImageFolder tree: its folders are `train` (and `val`), and `train`
    /// holds class folders rather than a task's own `train`.
    static func isImageFolder(_ root: String, folders: [String]) -> Bool {
        guard folders.contains("train"), folders.allSatisfy({ $0 == "train" || $0 == "val" }) else { return false }
        var isDirectory: ObjCBool = false
        return !(FileManager.default.fileExists(atPath: root + "/train/train", isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    /// Scans `root`; throws a `DatasetError` naming the path for every structural problem. A task without
    /// `val/` takes its validation images from `train/` as `split` says.
    public static func scan(_ root: String, split: ValidationSplit = ValidationSplit()) throws -> DatasetTree {
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
        let top = try entries(root).filter { isFolder(root + "/" + $0) }
        let single = isImageFolder(root, folders: top)
        let standardized = URL(fileURLWithPath: root).standardizedFileURL
        let tasks = single ? [standardized.lastPathComponent.isEmpty ? "dataset" : standardized.lastPathComponent] : top
        let taskFolders = single ? [root] : top.map { root + "/" + $0 }
        guard !tasks.isEmpty else {
            throw DatasetError("no task folders in \(root): expected \(root)/TASK/train/CLASS/ (and TASK/val/CLASS/) holding images, "
                               + "or one task as \(root)/train/CLASS/ (and \(root)/val/CLASS/)")
        }

        var classes: [[String]] = [], valShares: [Double?] = []
        for (task, taskPath) in zip(tasks, taskFolders) {
            guard isFolder(taskPath + "/train") else { throw DatasetError("task \(task): missing folder \(taskPath)/train") }
            let trainClasses = try entries(taskPath + "/train").filter { isFolder(taskPath + "/train/" + $0) }
            guard !trainClasses.isEmpty else { throw DatasetError("task \(task): no class folders in \(taskPath)/train") }
            valShares.append(isFolder(taskPath + "/val") ? nil : split.share)
            if isFolder(taskPath + "/val") {
                let valClasses = try entries(taskPath + "/val").filter { isFolder(taskPath + "/val/" + $0) }
                let missingInVal = trainClasses.filter { !valClasses.contains($0) }
                let missingInTrain = valClasses.filter { !trainClasses.contains($0) }
                if !missingInVal.isEmpty || !missingInTrain.isEmpty {
                    var parts: [String] = []
                    if !missingInVal.isEmpty { parts.append("missing in val: " + missingInVal.joined(separator: ", ")) }
                    if !missingInTrain.isEmpty { parts.append("missing in train: " + missingInTrain.joined(separator: ", ")) }
                    throw DatasetError("task \(task): train and val hold different classes; " + parts.joined(separator: "; "))
                }
            }
            classes.append(trainClasses)
        }
        // Every task's class folders in one concurrent pass (`listFolders`): on a tree whose metadata is not in
        // memory, that pass is most of a reusing load.
        let folders = tasks.indices.map { t in (valShares[t] == nil ? ["train", "val"] : ["train"]).flatMap { s in classes[t].map { "\(taskFolders[t])/\(s)/\($0)" } } }
        let listed = try listFolders(folders.flatMap { $0 })
        var files: [ImageFile] = [], skipped: [[String: [Int]]] = [], skippedFiles: [ImageError] = []
        for (t, task) in tasks.enumerated() {
            let first = folders[..<t].reduce(0) { $0 + $1.count }
            let (taskFiles, taskSkipped, taskSkippedFiles) = try classFolderImages(task: task, index: t, folders: folders[t],
                                                                                   listed: Array(listed[first..<(first + folders[t].count)]),
                                                                                   classes: classes[t], split: valShares[t] == nil ? nil : split)
            files += taskFiles
            skippedFiles += taskSkippedFiles
            skipped.append(taskSkipped)
        }
        return DatasetTree(root: root, tasks: tasks, taskFolders: taskFolders, valShares: valShares, classes: classes, files: files,
                           skipped: skipped, skippedFiles: skippedFiles)
    }

    /// The images of one task's listed class folders (train then val, classes in order), and the entries skipped
    /// (per split and class, and each with why).
    private static func classFolderImages(task: String, index t: Int, folders: [String], listed: [[FolderEntry]], classes: [String],
                                          split: ValidationSplit?) throws -> ([ImageFile], [String: [Int]], [ImageError]) {
        let splits = split == nil ? ["train", "val"] : ["train"]
        var files: [ImageFile] = [], skippedFiles: [ImageError] = []
        var skipped: [String: [Int]] = ["train": Array(repeating: 0, count: classes.count), "val": Array(repeating: 0, count: classes.count)]
        for (s, splitName) in splits.enumerated() {
            for (label, name) in classes.enumerated() {
                let folder = folders[s * classes.count + label]
                var images = 0
                // Without val/, the held-out share of this class by its files' names (relative to train/).
                let imageNames = listed[s * classes.count + label].filter { !$0.isFolder && imageExtensions.contains(fileExtension($0.name)) }.map(\.name)
                let held = split.map { Dictionary(uniqueKeysWithValues: zip(imageNames, $0.isVal(imageNames.map { name + "/" + $0 }))) } ?? [:]
                for entry in listed[s * classes.count + label] {
                    let path = folder + "/" + entry.name
                    let ext = fileExtension(entry.name)
                    if imageExtensions.contains(ext) && !entry.isFolder {
                        files.append(ImageFile(path: path, task: t, isTrain: splitName == "train" && held[entry.name] != true, label: label,
                                               size: entry.size, modifiedNanoseconds: entry.modifiedNanoseconds))
                        images += 1
                    } else {
                        skipped[splitName]![label] += 1
                        skippedFiles.append(ImageError(path: path, reason: entry.isFolder ? "a folder inside a class folder"
                                                       : "not an image (\(ext.isEmpty ? "no extension" : "." + ext); .jpg, .jpeg and .png are read)"))
                    }
                }
                if images == 0 && splitName == "train" {
                    throw DatasetError("task \(task): class \(name) has no images in \(folder)")
                }
            }
        }
        return (files, skipped, skippedFiles)
    }
}

/// The lower-cased extension of a file name ("" when it has none).
func fileExtension(_ name: String) -> String {
    name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
}
