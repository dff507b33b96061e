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
    public let train: [Sample]
    public let val: [Sample]
    /// Usable, skipped (not an image) and broken files per class, for train and val.
    public let trainCounts: [FileCounts]
    public let valCounts: [FileCounts]
}

/// The pixel size of an image file.
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
    public let tasks: [DatasetTask]
    public let cache: ImageCache
    /// The file of every cache image (a sample's `image` indexes both).
    public let files: [String]
    /// Images that could not be decoded, with path and reason; they are left out of every task.
    public let broken: [ImageError]
    /// Entries of class folders that are not images (other extensions, sub-folders), with why.
    public let skipped: [ImageError]
    /// The size each cache image's file declares (0×0 for a broken one), for size audits.
    public let sourceSizes: [ImageSize]
    public let loadSeconds: Double

    /// The cache size for a model input: 8/7 of it (as 256 is to 224), so crops and affine moves have margin.
    public static func cacheSize(forInput size: (width: Int, height: Int)) -> (width: Int, height: Int) {
        ((size.width * 8 + 3) / 7, (size.height * 8 + 3) / 7)
    }

    /// Scans and decodes `root` in parallel on `threads` threads. Broken images are reported and skipped;
    /// structural problems throw. `isCancelled` is polled per image; cancelling throws and loads nothing.
    /// `progress` is called now and then with (images done, total).
    public static func load(_ root: String, cacheSize: (width: Int, height: Int), decoder base: ImageDecoder = ImageDecoder(),
                            threads: Int = Threads.count, isCancelled: () -> Bool = { false },
                            progress: (Int, Int) -> Void = { _, _ in }) throws -> Dataset {
        let start = DispatchTime.now().uptimeNanoseconds
        let tree = try DatasetTree.scan(root)
        let files = tree.files
        let cache = ImageCache(width: cacheSize.width, height: cacheSize.height, count: files.count)
        var decoder = base
        decoder.targetSize = cacheSize
        let failures = UnsafeMutableBufferPointer<ImageError?>.allocate(capacity: max(1, files.count))
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        var sourceSizes = [ImageSize](repeating: ImageSize(width: 0, height: 0), count: files.count)

        let chunkCount = max(1, min(threads, files.count))
        let lock = NSLock()
        var done = 0, cancelled = false
        // Called from the decoding threads: counts progress and polls cancellation under the lock.
        func report(_ finished: Int, _ poll: () -> Bool) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            done += finished
            progress(done, files.count)
            if !cancelled && poll() { cancelled = true }
            return cancelled
        }
        sourceSizes.withUnsafeMutableBufferPointer { sizes in withoutActuallyEscaping(isCancelled) { poll in
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let range = (files.count * chunk / chunkCount)..<(files.count * (chunk + 1) / chunkCount)
                var sinceReport = 0
                for index in range {
                    do {
                        let decoded = try decoder.decodeKeepingSize(file: files[index].path)
                        sizes[index] = ImageSize(width: decoded.sourceSize.width, height: decoded.sourceSize.height)
                        cache.store(resized(decoded.image, width: cacheSize.width, height: cacheSize.height), at: index)
                    } catch let error as ImageError {
                        failures[index] = error
                    } catch {
                        failures[index] = ImageError(path: files[index].path, reason: "\(error)")
                    }
                    sinceReport += 1
                    if sinceReport == 32 {
                        if report(sinceReport, poll) { return }
                        sinceReport = 0
                    }
                }
                _ = report(sinceReport, poll)
            }
        } }
        if cancelled {
            throw DatasetError("load of \(root) cancelled after \(done) of \(files.count) images; nothing was loaded")
        }

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
                throw DatasetError("task \(name): class \(tree.classes[t][empty]) has no usable images in \(root)/\(name)/train/\(tree.classes[t][empty]) (all \(trainCounts[empty].broken) broken)")
            }
            tasks.append(DatasetTask(name: name, classes: tree.classes[t], train: train, val: val,
                                     trainCounts: trainCounts, valCounts: valCounts))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Dataset(root: root, tasks: tasks, cache: cache, files: files.map(\.path), broken: failures.compactMap { $0 },
                       skipped: tree.skippedFiles, sourceSizes: sourceSizes, loadSeconds: seconds)
    }
}
