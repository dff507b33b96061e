import Dispatch
import Engine
import Foundation
import Vision

/// One labelled image of a task: its slot in the image cache and its class index.
public struct Sample: Equatable {
    public let image: Int
    public let label: Int

    public init(image: Int, label: Int) {
        self.image = image
        self.label = label
    }
}

/// A task of a loaded dataset: its classes (sorted by code point) and usable samples.
public struct DatasetTask {
    public let name: String
    public let classes: [String]
    public internal(set) var train: [Sample]
    public internal(set) var val: [Sample]
    /// Usable, skipped (not an image) and broken files per class, for train and val.
    public internal(set) var trainCounts: [FileCounts]
    public internal(set) var valCounts: [FileCounts]
    /// The share of each class's `train/` files held out as val when the task has no `val/` folder; nil when it has one.
    public var valShare: Double? = nil
}

/// A width and height in pixels: of an image file, a picture shown in the terminal, a terminal cell.
public struct ImageSize: Equatable, Hashable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// What became of the files of one class folder.
public struct FileCounts: Equatable {
    public var used = 0
    public var skipped = 0
    public var broken = 0

    public init(used: Int = 0, skipped: Int = 0, broken: Int = 0) {
        self.used = used
        self.skipped = skipped
        self.broken = broken
    }
}

/// A dataset tree decoded into memory: tasks, samples and the image cache they index.
public struct Dataset {
    public let root: String
    /// Curation (relabel, drop, undo) changes a task's samples in place of a new `load`.
    public internal(set) var tasks: [DatasetTask]
    public let cache: ImageCache
    /// The file of every cache image (a sample's `image` indexes both); curation moves a file and its entry with it.
    public internal(set) var files: [String]
    /// Size and modification time of every file when it was scanned, so curation can tell a file changed since.
    public let stamps: [FileStamp]
    /// How tasks without `val/` took their validation images, so curation splits a changed class as `load` would.
    public let split: ValidationSplit
    /// Images that could not be decoded, with path and reason; they are left out of every task.
    public let broken: [ImageError]
    /// Entries of class folders that are not images (other extensions, sub-folders), with why.
    public let skipped: [ImageError]
    /// The size each cache image's file declares (0×0 for a broken one), for size audits.
    public let sourceSizes: [ImageSize]
    public let loadSeconds: Double
    /// Why the cache is kept where it is, and what a disk cache went through ("reused", "rebuilt: …"), for `load` to print.
    public let cacheNotes: [String]
    /// The mode asked for or chosen; differs from `cache.mode` when writing a disk cache failed.
    public let chosenCacheMode: CacheMode

    /// The cache size for a model input: 8/7 of it (as 256 is to 224), so crops and affine moves have margin.
    public static func cacheSize(forInput size: (width: Int, height: Int)) -> (width: Int, height: Int) {
        ((size.width * 8 + 3) / 7, (size.height * 8 + 3) / 7)
    }

    /// Scans and decodes `root` in parallel on `threads` threads into the cache `options` choose.
    /// Broken images are reported and skipped; structural problems throw. `isCancelled` is polled
    /// between chunks of images; cancelling throws, loads nothing and keeps a partial disk cache for
    /// the next load. `progress` is called now and then with (images done, total).
    public static func load(_ root: String, cacheSize: (width: Int, height: Int), decoder base: ImageDecoder = ImageDecoder(),
                            cache options: CacheOptions = CacheOptions(mode: .memory), split: ValidationSplit = ValidationSplit(),
                            threads: Int = HostResources.inUse.threads, isCancelled: () -> Bool = { false },
                            progress: (Int, Int) -> Void = { _, _ in }) throws -> Dataset {
        let start = DispatchTime.now().uptimeNanoseconds
        let tree = try DatasetTree.scan(root, split: split)
        var decoder = base
        decoder.targetSize = cacheSize
        let decode = ParallelDecode(files: tree.files.map(\.path), decoder: decoder, width: cacheSize.width,
                                    height: cacheSize.height, threads: threads)
        let bytesPerImage = cacheSize.width * cacheSize.height * 3
        let (mode, why) = options.choose(images: tree.files.count, bytesPerImage: bytesPerImage, width: cacheSize.width, height: cacheSize.height)
        let order = CacheOrder(images: tree.files.count, imagesPerChunk: options.chunkImages(bytesPerImage: bytesPerImage))
        var notes = ["cache: \(mode.rawValue) (\(why))"]
        let (cache, failures) = try withoutActuallyEscaping(isCancelled) { isCancelled in
            try withoutActuallyEscaping(progress) { progress in
                let job = LoadJob(root: root, tree: tree, decode: decode, order: order, isCancelled: isCancelled, progress: progress)
                switch mode {
                case .memory: return try job.loadIntoMemory()
                case .none: return try job.validateOnly()
                case .disk: return try job.loadDiskCache(options, notes: &notes)
                }
            }
        }
        let tasks = try makeTasks(tree, failures: failures, root: root)
        let sourceSizes = cache.recordedSourceSizes ?? declaredSizes(tree.files.map(\.path), failures: failures, threads: threads)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Dataset(root: root, tasks: tasks, cache: cache, files: tree.files.map(\.path),
                       stamps: tree.files.map { FileStamp(size: $0.size, modifiedNanoseconds: $0.modifiedNanoseconds) }, split: split,
                       broken: failures.compactMap { $0 },
                       skipped: tree.skippedFiles, sourceSizes: sourceSizes, loadSeconds: seconds, cacheNotes: notes,
                       chosenCacheMode: mode)
    }

    /// The size each file's header declares, read from headers alone (a reused disk cache decodes nothing, and a
    /// JPEG may be cached from a reduced DCT scale); 0×0 for the broken ones.
    private static func declaredSizes(_ files: [String], failures: [ImageError?], threads: Int) -> [ImageSize] {
        var sizes = [ImageSize](repeating: ImageSize(width: 0, height: 0), count: files.count)
        let parts = max(1, min(threads, files.count))
        sizes.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for index in (files.count * part / parts)..<(files.count * (part + 1) / parts) where failures[index] == nil {
                    if let size = try? ImageDecoder.declaredSize(file: files[index]) {
                        out[index] = ImageSize(width: size.width, height: size.height)
                    }
                }
            }
        }
        return sizes
    }

    /// The same images and cache with other tasks (a fold, a subset of the tasks): every other field is kept.
    func replacingTasks(_ tasks: [DatasetTask]) -> Dataset {
        Dataset(root: root, tasks: tasks, cache: cache, files: files, stamps: stamps, split: split, broken: broken, skipped: skipped, sourceSizes: sourceSizes,
                loadSeconds: loadSeconds, cacheNotes: cacheNotes, chosenCacheMode: chosenCacheMode)
    }

    /// The tasks of `tree` with the images that decoded; a class left with no training image throws.
    private static func makeTasks(_ tree: DatasetTree, failures: [ImageError?], root: String) throws -> [DatasetTask] {
        let files = tree.files
        var tasks: [DatasetTask] = []
        for (t, name) in tree.tasks.enumerated() {
            let k = tree.classes[t].count
            var train: [Sample] = [], val: [Sample] = []
            var trainCounts = (0..<k).map { FileCounts(skipped: tree.skipped[t]["train"]![$0]) }
            var valCounts = (0..<k).map { FileCounts(skipped: tree.skipped[t]["val"]![$0]) }
            for (index, file) in files.enumerated() where file.task == t {
                let ok = failures[index] == nil
                if file.isTrain {
                    if ok { train.append(Sample(image: index, label: file.label)); trainCounts[file.label].used += 1 } else { trainCounts[file.label].broken += 1 }
                } else {
                    if ok { val.append(Sample(image: index, label: file.label)); valCounts[file.label].used += 1 } else { valCounts[file.label].broken += 1 }
                }
            }
            if let empty = trainCounts.firstIndex(where: { $0.used == 0 }) {
                throw DatasetError("task \(name): class \(tree.classes[t][empty]) has no usable images in \(tree.taskFolders[t])/train/\(tree.classes[t][empty]) (all \(trainCounts[empty].broken) broken)")
            }
            tasks.append(DatasetTask(name: name, classes: tree.classes[t], train: train, val: val,
                                     trainCounts: trainCounts, valCounts: valCounts, valShare: tree.valShares[t]))
        }
        return tasks
    }
}
