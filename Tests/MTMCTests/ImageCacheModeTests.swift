import Engine
import Foundation
@testable import MTMC
import Vision
import XCTest

/// The three cache modes (memory, disk, none) behind one reading API, and the disk cache's life:
/// reuse, resume after Ctrl-C, stale and corrupt files rebuilt, a full disk falling back to none.
final class ImageCacheModeTests: XCTestCase {
    private var folder = ""
    private let size = (width: 15, height: 13)

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-cache-\(getpid())-\(UUID().uuidString.prefix(8))").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Gradients with noise (so a wrong offset or resize shows, and JPEG still compresses them) in two tasks, PNG and JPEG, and one broken file: 26 files, 7 chunks of 4.
    private func tree() -> TreeBuilder {
        let tree = TreeBuilder("modes")
        var state: UInt32 = 12345
        func noise(_ w: Int, _ h: Int) -> RGBImage {
            state = state &* 1_664_525 &+ 1_013_904_223
            let offset = Int(state >> 24)
            return RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { i in
                state = state &* 1_664_525 &+ 1_013_904_223
                let (x, y, c) = (i / 3 % w, i / 3 / w, i % 3)
                return UInt8(truncatingIfNeeded: offset + x * 9 + y * 5 * (c + 1) + Int(state >> 28))
            })
        }
        for (task, classes) in [("a", ["x", "y"]), ("b", ["p", "q", "r"])] {
            for label in classes {
                for i in 0..<3 { tree.file("\(task)/train/\(label)/\(i).png", try! PNG.encode(noise(20, 18))) }
                tree.file("\(task)/train/\(label)/j.jpg", try! JPEG.encode(noise(24, 24)))
                tree.file("\(task)/val/\(label)/0.png", try! PNG.encode(noise(17, 21)))
            }
        }
        tree.file("b/val/p/broken.png", Data([0x89, 0x50, 0x4E, 0x47]))
        return tree
    }

    private func options(_ mode: CacheMode, _ format: CacheFormat = .raw) -> CacheOptions {
        var options = CacheOptions(mode: mode, folder: folder, format: format)
        options.imagesPerChunk = 4
        return options
    }

    private func load(_ tree: TreeBuilder, _ options: CacheOptions, isCancelled: @escaping () -> Bool = { false },
                      progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> Dataset {
        try Dataset.load(tree.root, cacheSize: size, cache: options, threads: 2, isCancelled: isCancelled, progress: progress)
    }

    /// Every batch of a seeded, augmented training epoch and of a validation pass, as floats.
    private func batches(_ dataset: Dataset, seed: UInt64 = 5, order: EpochOrder = .shuffle) -> [[Float]] {
        var rng = RandomGenerator(seed: seed)
        let plan = planEpoch(dataset, quotas: dataset.tasks.map { $0.classes.map { _ in 3 } }, batchSize: 4, order: order, rng: &rng)
        let val = dataset.tasks.enumerated().map { PlannedBatch(task: $0.offset, samples: $0.element.val) }
        var result: [[Float]] = []
        for (plan, augmentation) in [(plan, AugmentationSettings()), (val, nil)] {
            let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (12, 11), augmentation: augmentation,
                                         normalization: .imageNet, seed: seed)
            while let batch = pipeline.next() { result.append(batch.images.scalars) }
        }
        return result
    }

    private func pixels(_ dataset: Dataset) -> [[UInt8]] {
        let usable = Set(dataset.tasks.flatMap { $0.train + $0.val }.map(\.image))
        return (0..<dataset.cache.count).map { usable.contains($0) ? dataset.cache.image($0).pixels : [] }
    }

    func testTheThreeModesGiveIdenticalBatchesForASeed() throws {
        let tree = tree()
        let memory = try load(tree, options(.memory)), none = try load(tree, options(.none)), disk = try load(tree, options(.disk))
        XCTAssertEqual([memory.cache.mode, none.cache.mode, disk.cache.mode], [.memory, .none, .disk])
        XCTAssertEqual(memory.cache.count, 26)
        XCTAssertEqual(pixels(none), pixels(memory))
        XCTAssertEqual(pixels(disk), pixels(memory))
        let expected = batches(memory)
        XCTAssertEqual(expected.count, 6)
        XCTAssertEqual(batches(none), expected)
        XCTAssertEqual(batches(disk), expected)
        for dataset in [none, disk] {
            XCTAssertEqual(dataset.broken, memory.broken)
            XCTAssertEqual(dataset.tasks.map(\.valCounts), memory.tasks.map(\.valCounts))
        }
        XCTAssertEqual(memory.broken.map(\.path), [tree.root + "/b/val/p/broken.png"])
        XCTAssertEqual(memory.cache.residentBytes, 26 * 15 * 13 * 3)
        XCTAssertEqual(none.cache.residentBytes, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: disk.cache.filePath!))
        XCTAssertEqual(disk.cache.diskBytes, Int(try FileManager.default.attributesOfItem(atPath: disk.cache.filePath!)[.size] as! UInt64))
    }

    func testUnderChunkOrderTheThreeModesGiveIdenticalBatchesForASeed() throws {
        let tree = tree()
        let memory = try load(tree, options(.memory)), none = try load(tree, options(.none)), disk = try load(tree, options(.disk))
        XCTAssertEqual(disk.cache.order, CacheOrder(images: 26, imagesPerChunk: 4))
        XCTAssertEqual([memory.cache.order, none.cache.order], [disk.cache.order, disk.cache.order])
        guard case .disk(let file) = disk.cache.storage else { return XCTFail("not a disk cache") }
        let stored = (0..<26).map { slot in file.payload(slot: slot) ?? [] }
        let images = disk.cache.order.images
        XCTAssertNotEqual(images, Array(0..<26))
        XCTAssertEqual(stored.filter { $0.count != 15 * 13 * 3 }.count, 1, "one slot holds the broken image's reason")
        for slot in 0..<26 where stored[slot].count == 15 * 13 * 3 {
            XCTAssertEqual(stored[slot], memory.cache.image(images[slot]).pixels, "slot \(slot) of the file holds image \(images[slot])")
        }
        let expected = batches(memory, order: .chunks)
        XCTAssertEqual(expected.count, 6)
        XCTAssertNotEqual(expected, batches(memory), "the chunk order is not the shuffle")
        XCTAssertEqual(batches(none, order: .chunks), expected)
        XCTAssertEqual(batches(disk, order: .chunks), expected)
    }

    func testAJPEGDiskCacheHoldsExactlyTheReencodedImagesAndIsSmaller() throws {
        let tree = tree()
        let big = (width: 48, height: 48)  // below a few hundred pixels JPEG's own headers outweigh raw pixels
        func load(_ options: CacheOptions) throws -> Dataset { try Dataset.load(tree.root, cacheSize: big, cache: options, threads: 2) }
        let memory = try load(options(.memory)), raw = try load(options(.disk)), jpeg = try load(options(.disk, .jpeg))
        XCTAssertNotEqual(jpeg.cache.filePath, raw.cache.filePath)
        XCTAssertLessThan(jpeg.cache.diskBytes, raw.cache.diskBytes / 3)
        let exact = pixels(memory), reencoded = pixels(jpeg)
        var total = 0, count = 0
        for (index, (a, b)) in zip(exact, reencoded).enumerated() where !a.isEmpty {
            let expected = try ImageDecoder().decode(try JPEG.encode(memory.cache.image(index), quality: 90), path: "re-encoded")
            XCTAssertEqual(b, expected.pixels, "image \(index) is the memory image re-encoded at quality 90, nothing else")
            for (x, y) in zip(a, b) { total += abs(Int(x) - Int(y)); count += 1 }
        }
        XCTAssertEqual(count, 25 * 48 * 48 * 3)
        XCTAssertNotEqual(reencoded, exact, "JPEG storage is lossy")
        XCTAssertLessThan(Double(total) / Double(count), 6, "the re-encoding error is a few levels")
        XCTAssertEqual(batches(jpeg).count, batches(memory).count)
    }

    func testASecondLoadReusesTheCacheWithoutDecoding() throws {
        let tree = tree()
        let first = try load(tree, options(.disk))
        XCTAssertTrue(first.cacheNotes.contains { $0.hasPrefix("cache: wrote \(first.cache.filePath!) in ") }, "\(first.cacheNotes)")
        var progressed = 0
        let second = try load(tree, options(.disk), progress: { _, _ in progressed += 1 })
        XCTAssertEqual(progressed, 0, "nothing decoded")
        XCTAssertTrue(second.cacheNotes[1].hasPrefix("cache: reused \(first.cache.filePath!), "), "\(second.cacheNotes)")
        XCTAssertEqual(batches(second), batches(first))
        XCTAssertEqual(second.broken, first.broken)
    }

    func testACancelledDiskLoadIsContinuedByTheNextLoad() throws {
        let tree = tree()
        var polls = 0
        XCTAssertThrowsError(try load(tree, options(.disk), isCancelled: { polls += 1; return polls == 3 })) { error in
            XCTAssertTrue("\(error)".hasPrefix("load of \(tree.root) cancelled after 8 of 26 images; the partial cache (2 of 7 chunks) is kept in "),
                          "\(error)")
        }
        var firstProgress: Int?
        let resumed = try load(tree, options(.disk), progress: { done, _ in firstProgress = firstProgress ?? done })
        XCTAssertEqual(firstProgress, 12, "chunks 1 and 2 are not decoded again")
        XCTAssertTrue(resumed.cacheNotes.contains { $0.hasPrefix("cache: continuing the partial cache ") && $0.hasSuffix(" from image 9 of 26") },
                      "\(resumed.cacheNotes)")
        XCTAssertEqual(batches(resumed), batches(try load(tree, options(.memory))))
    }

    func testChangedAddedAndRemovedFilesMakeTheCacheStale() throws {
        let tree = tree()
        _ = try load(tree, options(.disk))
        tree.file("a/train/x/1.png", try PNG.encode(RGBImage(width: 9, height: 9)))
        let changed = try load(tree, options(.disk))
        XCTAssertTrue(changed.cacheNotes[1].hasSuffix(": stale: 1 file changed (size or modification time), e.g. a/train/x/1.png"),
                      "\(changed.cacheNotes)")
        XCTAssertEqual(pixels(changed), pixels(try load(tree, options(.memory))))
        XCTAssertEqual(changed.cache.image(1).pixels, [UInt8](repeating: 0, count: 15 * 13 * 3))

        tree.file("a/train/x/new.png", try PNG.encode(RGBImage(width: 9, height: 9)))
        try FileManager.default.removeItem(atPath: tree.root + "/b/train/q/2.png")
        let moved = try load(tree, options(.disk))
        XCTAssertTrue(moved.cacheNotes[1].hasSuffix(": stale: 1 file added, e.g. a/train/x/new.png; 1 file removed, e.g. b/train/q/2.png"),
                      "\(moved.cacheNotes)")
        XCTAssertEqual(batches(moved), batches(try load(tree, options(.memory))))
    }

    /// Flips one bit in the middle of chunk `c` of the cache file at `path`, or in its first word (its image count).
    private func corrupt(chunk c: Int, of path: String, atStart: Bool = false) throws {
        let chunk = try CacheFile(opening: path).chunk(c)
        let at = UInt64(chunk.offset + (atStart ? 0 : chunk.length / 2))
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: at)
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: at)
        try handle.write(contentsOf: [byte ^ 0x10])
        try handle.close()
    }

    /// Checksums are checked when a chunk is first read: its images then come from the original files, the
    /// problem is reported once, and the next load rebuilds the cache from that chunk, saying why.
    func testACorruptChunkIsDetectedWhenReadAndRebuiltByTheNextLoad() throws {
        let tree = tree()
        let path = try load(tree, options(.disk)).cache.filePath!
        try corrupt(chunk: 2, of: path)
        let reused = try load(tree, options(.disk))
        XCTAssertTrue(reused.cacheNotes[1].hasPrefix("cache: reused \(path), "), "\(reused.cacheNotes)")
        XCTAssertEqual(reused.cache.takeProblems(), [])
        let memory = try load(tree, options(.memory))
        XCTAssertEqual(pixels(reused), pixels(memory), "the corrupt chunk's images are decoded from their files")
        XCTAssertEqual(reused.cache.takeProblems(), ["cache: chunk 3 of 7 (cache slots 9–12) of \(path) fails its checksum; its images are "
                                                     + "read from the original files, and the next load rebuilds the cache from there"])
        XCTAssertEqual(pixels(reused), pixels(memory))
        XCTAssertEqual(reused.cache.takeProblems(), [], "reported once")

        let rebuilt = try load(tree, options(.disk))
        XCTAssertEqual(rebuilt.cacheNotes[1], "cache: rebuilding \(path) from image 9: the file is corrupt: "
                       + "chunk 3 of 7 (cache slots 9–12) failed its checksum when read by an earlier session")
        XCTAssertEqual(batches(rebuilt), batches(memory))
        XCTAssertEqual(rebuilt.cache.takeProblems(), [])
        let again = try load(tree, options(.disk))
        XCTAssertTrue(again.cacheNotes[1].hasPrefix("cache: reused "))
        XCTAssertEqual(pixels(again), pixels(memory))
        XCTAssertEqual(again.cache.takeProblems(), [])
    }

    /// A chunk whose entries do not add up cannot even be indexed: the load itself finds it and rebuilds from there.
    func testAChunkWhoseEntriesDoNotAddUpIsRebuiltAtLoad() throws {
        let tree = tree()
        let path = try load(tree, options(.disk)).cache.filePath!
        try corrupt(chunk: 4, of: path, atStart: true)
        let rebuilt = try load(tree, options(.disk))
        XCTAssertEqual(rebuilt.cacheNotes[1], "cache: rebuilding \(path) from image 17: the file is corrupt: the entries of chunk 5 of 7 (cache slots 17–20) do not add up")
        XCTAssertEqual(batches(rebuilt), batches(try load(tree, options(.memory))))

        // A new file in its place (the loaded datasets above still map the old one).
        try FileManager.default.removeItem(atPath: path)
        try Data("not a cache".utf8).write(to: URL(fileURLWithPath: path))
        let fromScratch = try load(tree, options(.disk))
        XCTAssertEqual(fromScratch.cacheNotes[1], "cache: rebuilding \(path): the file is corrupt: shorter than its header (11 bytes)")
        XCTAssertEqual(pixels(fromScratch), pixels(try load(tree, options(.memory))))
    }

    /// A reusing load takes the sizes the source files declare from the cache, opening none of them: a file
    /// garbled in place with its size and modification time kept (which staleness cannot see) keeps its recorded size.
    func testAReusingLoadTakesTheDeclaredSizesFromTheCache() throws {
        let tree = tree()
        let memory = try load(tree, options(.memory))
        let written = try load(tree, options(.disk))
        XCTAssertEqual(written.sourceSizes, memory.sourceSizes)
        XCTAssertEqual(memory.sourceSizes[0], ImageSize(width: 20, height: 18))
        XCTAssertEqual(memory.sourceSizes[3], ImageSize(width: 24, height: 24))
        let file = tree.root + "/a/train/x/0.png"
        var info = stat()
        XCTAssertEqual(stat(file, &info), 0)
        try Data(count: Int(info.st_size)).write(to: URL(fileURLWithPath: file))
        var times = [info.st_atim, info.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, file, &times, 0), 0)
        let reused = try load(tree, options(.disk))
        XCTAssertTrue(reused.cacheNotes[1].hasPrefix("cache: reused "), "\(reused.cacheNotes)")
        XCTAssertEqual(reused.sourceSizes, memory.sourceSizes)
    }

    /// The full disk is a file-size limit (RLIMIT_FSIZE), which binds root too; SIGXFSZ is ignored so
    /// the write fails with EFBIG instead of killing the test.
    func testAFullDiskRemovesThePartialFileAndFallsBackToNone() throws {
        let tree = tree()
        var saved = rlimit(), limited = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        limited = saved
        limited.rlim_cur = 4000  // the header, file list and table, and about two chunks of 4 images of 585 bytes
        let handler = signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        let dataset = Result { try load(tree, options(.disk)) }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, handler)
        let full = try dataset.get()
        XCTAssertEqual(full.cache.mode, .none)
        XCTAssertEqual(full.chosenCacheMode, .disk)
        let path = options(.disk).filePath(root: tree.root, width: 15, height: 13)
        XCTAssertEqual(full.cacheNotes[1], "cache: cannot write \(path): File too large; the partial cache file was removed; this dataset is read with cache none")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(full.broken.count, 1)
        XCTAssertEqual(batches(full), batches(try load(tree, options(.memory))))
    }

    func testAutoChoosesMemoryWithinAQuarterOfRAMAndDiskBeyond() {
        var options = CacheOptions(folder: folder)
        options.memoryBudget = 1_000_000
        XCTAssertEqual(options.choose(images: 100, bytesPerImage: 10_000, width: 10, height: 10).mode, .memory)
        let beyond = options.choose(images: 101, bytesPerImage: 10_000, width: 10, height: 10)
        XCTAssertEqual(beyond.mode, .disk)
        XCTAssertEqual(beyond.why, "auto: 1.0 MB estimated for 101 images at 10×10, more than a quarter of RAM, 1.0 MB")
        options.mode = CacheMode.none
        XCTAssertEqual(options.choose(images: 1, bytesPerImage: 1, width: 1, height: 1).mode, .none)
    }
}

/// A dataset's cache is freed with its last user: a pipeline that has run to its end does not keep it.
final class ImageCacheLifetimeTests: XCTestCase {
    func testTheCacheIsFreedWhenTheDatasetAndItsPipelinesAreGone() throws {
        let tree = TreeBuilder().task("a", classes: ["x": 3, "y": 3])
        weak var cache: ImageCache?
        do {
            let dataset = try Dataset.load(tree.root, cacheSize: (9, 9))
            cache = dataset.cache
            let pipeline = BatchPipeline(plan: [PlannedBatch(task: 0, samples: dataset.tasks[0].train)], cache: dataset.cache,
                                         inputSize: (8, 8), augmentation: AugmentationSettings(), normalization: .imageNet, seed: 1)
            while pipeline.next() != nil {}
        }
        XCTAssertNil(cache)
    }
}
