import Foundation
import MTMC
import Vision
import XCTest

final class DatasetTests: XCTestCase {
    private func load(_ tree: TreeBuilder) throws -> Dataset {
        try Dataset.load(tree.root, cacheSize: (width: 9, height: 9), threads: 2)
    }

    private func assertStructuralError(_ tree: TreeBuilder, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(tree), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected.replacingOccurrences(of: "ROOT", with: tree.root), file: file, line: line)
        }
    }

    func testTasksAndClassesAreSortedByCodePointAndCounted() throws {
        let tree = TreeBuilder().task("颜色", classes: ["红": 3, "绿": 2]).task("印花", classes: ["条纹": 4, "格子": 2, "Z": 1])
        tree.file("印花/train/条纹/notes.txt", Data("not an image".utf8))
        let dataset = try load(tree)
        XCTAssertEqual(dataset.tasks.map(\.name), ["印花", "颜色"])  // U+5370 < U+989C
        XCTAssertEqual(dataset.tasks[0].classes, ["Z", "条纹", "格子"])  // U+6761 < U+683C
        XCTAssertEqual(dataset.tasks[0].trainCounts, [FileCounts(used: 1), FileCounts(used: 4, skipped: 1), FileCounts(used: 2)])
        XCTAssertEqual(dataset.tasks[0].train.count, 7)
        XCTAssertEqual(dataset.tasks[1].val.map(\.label), [0, 0, 1, 1])
        XCTAssertEqual(dataset.cache.count, 22)  // 13 + 9 images, train and val
        XCTAssertEqual(dataset.cache.bytes, 22 * 9 * 9 * 3)
        XCTAssertEqual(dataset.cache.image(dataset.tasks[0].train[0].image)[4, 4].0, 100)
    }

    func testBrokenImagesAreReportedWithPathAndReasonAndLoadingGoesOn() throws {
        let tree = TreeBuilder().task("t", classes: ["a": 2, "b": 2])
        tree.file("t/train/a/truncated.jpg", TreeBuilder.fixture("truncated.jpg"))
        tree.file("t/train/a/empty.png", Data())
        tree.file("t/train/a/text.jpg", Data("hello, I am text\n".utf8))
        tree.file("t/train/b/crc.png", TreeBuilder.fixture("bad_crc.png"))
        tree.file("t/val/b/huge.png", TreeBuilder.fixture("huge.png"))
        let dataset = try load(tree)
        let reasons = dataset.broken.map { $0.description.replacingOccurrences(of: tree.root, with: "ROOT") }.sorted()
        XCTAssertEqual(reasons, [
            "ROOT/t/train/a/empty.png: empty file (0 bytes)",
            "ROOT/t/train/a/text.jpg: not a JPEG or PNG file (starts with 68 65 6C 6C)",
            "ROOT/t/train/a/truncated.jpg: corrupt or truncated JPEG data: Premature end of JPEG file",
            "ROOT/t/train/b/crc.png: invalid PNG header: IHDR: CRC error",
            "ROOT/t/val/b/huge.png: image declares 60000×60000 pixels, over the limit of 100000000 pixels",
        ])
        XCTAssertEqual(dataset.tasks[0].trainCounts, [FileCounts(used: 2, broken: 3), FileCounts(used: 2, broken: 1)])
        XCTAssertEqual(dataset.tasks[0].valCounts[1], FileCounts(used: 2, broken: 1))
    }

    func testUnusualButValidImagesLoad() throws {
        let tree = TreeBuilder()
        for name in ["rgb16.png", "palette_transparent.png", "cmyk.jpg", "grayscale.jpg", "gray_alpha.png", "progressive.jpg"] {
            tree.file("t/train/a/\(name)", TreeBuilder.fixture(name))
        }
        tree.images("t", "val", "a", count: 1)
        let dataset = try load(tree)
        XCTAssertEqual(dataset.broken, [])
        XCTAssertEqual(dataset.tasks[0].trainCounts, [FileCounts(used: 6)])
    }

    func testPathsWithSpacesAndChineseCharactersLoad() throws {
        let tree = TreeBuilder("with space 中文")
        tree.images("任务 一", "train", "人物 卡通", count: 2).images("任务 一", "val", "人物 卡通", count: 1)
        tree.file("任务 一/train/人物 卡通/图 片 1.png", TreeBuilder.png(7))
        let dataset = try load(tree)
        XCTAssertEqual(dataset.tasks[0].name, "任务 一")
        XCTAssertEqual(dataset.tasks[0].classes, ["人物 卡通"])
        XCTAssertEqual(dataset.tasks[0].train.count, 3)
    }

    func testSymlinkLoopIsReportedAndSkipped() throws {
        let tree = TreeBuilder().task("t", classes: ["a": 2])
        try FileManager.default.createSymbolicLink(atPath: tree.root + "/t/train/a/loop.png", withDestinationPath: "loop.png")
        try FileManager.default.createSymbolicLink(atPath: tree.root + "/t/train/a/up", withDestinationPath: "..")
        let dataset = try load(tree)
        XCTAssertEqual(dataset.broken.map { $0.description.replacingOccurrences(of: tree.root, with: "ROOT") },
                       ["ROOT/t/train/a/loop.png: cannot read: Too many levels of symbolic links"])
        XCTAssertEqual(dataset.tasks[0].trainCounts, [FileCounts(used: 2, skipped: 1, broken: 1)])
    }

    /// An image this process may not open is reported with the system's reason, and the others load. Root may
    /// open any ordinary file whatever its mode, so the unreadable image is a link to a write-only kernel setting:
    /// procfs refuses reading it to every user, root included (its mode is 0200).
    func testUnreadableFileIsReported() throws {
        let writeOnly = "/proc/sys/vm/drop_caches"
        let probe = open(writeOnly, O_RDONLY)
        if probe >= 0 { close(probe) }
        XCTAssertEqual(probe, -1, "\(writeOnly) opened for reading: this test needs a file no one may read")
        let tree = TreeBuilder().task("t", classes: ["a": 2])
        try FileManager.default.removeItem(atPath: tree.root + "/t/train/a/0.png")
        try FileManager.default.createSymbolicLink(atPath: tree.root + "/t/train/a/0.png", withDestinationPath: writeOnly)
        let dataset = try load(tree)
        XCTAssertEqual(dataset.broken.map { $0.description.replacingOccurrences(of: tree.root, with: "ROOT") },
                       ["ROOT/t/train/a/0.png: cannot read: Permission denied"])
        XCTAssertEqual(dataset.tasks[0].trainCounts, [FileCounts(used: 1, broken: 1)])
    }

    func testStructuralProblemsAreClearErrors() {
        assertStructuralError(TreeBuilder().task("t", classes: ["a": 1, "b": 1]).images("t", "val", "c", count: 1),
                              "task t: train and val hold different classes; missing in train: c")
        let missingVal = TreeBuilder().task("t", classes: ["a": 1])
        try? FileManager.default.removeItem(atPath: missingVal.root + "/t/val/a")
        missingVal.images("t", "val", "x", count: 1)
        assertStructuralError(missingVal, "task t: train and val hold different classes; missing in val: a; missing in train: x")
        let empty = TreeBuilder().task("t", classes: ["a": 1])
        empty.folder("t/train/b"); empty.folder("t/val/b")
        assertStructuralError(empty, "task t: class b has no images in ROOT/t/train/b")
        assertStructuralError(TreeBuilder(), "no task folders in ROOT: expected ROOT/TASK/train/CLASS/ (and TASK/val/CLASS/) holding images, "
                              + "or one task as ROOT/train/CLASS/ (and ROOT/val/CLASS/)")
        assertStructuralError(TreeBuilder().images("t", "val", "a", count: 1), "task t: missing folder ROOT/t/train")
        let allBroken = TreeBuilder().task("t", classes: ["a": 1])
        allBroken.file("t/train/b/x.png", Data()); allBroken.images("t", "val", "b", count: 1)
        assertStructuralError(allBroken, "task t: class b has no usable images in ROOT/t/train/b (all 1 broken)")
        XCTAssertThrowsError(try Dataset.load("/nonexistent/data", cacheSize: (9, 9))) { error in
            XCTAssertEqual("\(error)", "dataset root /nonexistent/data does not exist")
        }
    }

    func testCancellingALoadLoadsNothing() {
        let tree = TreeBuilder().task("t", classes: ["a": 40])
        XCTAssertThrowsError(try Dataset.load(tree.root, cacheSize: (9, 9), threads: 1, isCancelled: { true })) { error in
            XCTAssertTrue("\(error)".hasPrefix("load of \(tree.root) cancelled after "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix(" of 42 images; nothing was loaded"), "\(error)")
        }
    }

    func testCacheSizeIsEightSeventhsOfTheInput() {
        XCTAssertTrue(Dataset.cacheSize(forInput: (224, 224)) == (256, 256))
        XCTAssertTrue(Dataset.cacheSize(forInput: (64, 48)) == (73, 55))
    }
}
