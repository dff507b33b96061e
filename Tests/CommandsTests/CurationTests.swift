import Commands
import Foundation
import MTMC
import Vision
import XCTest

/// relabel, drop and undo on a real tree: the file moves, the loaded dataset becomes what a fresh `load` of the
/// changed tree gives, the cache reads the moved file, the stored evaluation follows, and each action is logged.
final class CurationTests: XCTestCase {
    /// Per task, each split's images (relative to the root) with their classes, and the used counts per class.
    private func snapshot(_ dataset: Dataset) -> [String] {
        dataset.tasks.map { task in
            let listed = { (samples: [Sample]) in samples.map { "\(dataset.shownFile($0.image))=\(task.classes[$0.label])" }.joined(separator: " ") }
            return "\(task.name) train [\(listed(task.train))] val [\(listed(task.val))] counts \(task.trainCounts.map(\.used)) \(task.valCounts.map(\.used))"
        }
    }

    /// What a fresh load of `root` gives, with the session's split.
    private func freshLoad(_ root: String, _ h: Harness) throws -> [String] {
        snapshot(try Dataset.load(root, cacheSize: (18, 18), cache: CacheOptions(mode: .memory),
                                  split: ValidationSplit(share: h.session.settings.valSplit, seed: h.session.settings.training.seed)))
    }

    private func logLines(_ h: Harness) -> [String] {
        ((try? String(contentsOfFile: h.root + "/logs/curation.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func testRelabelDropAndUndoMoveTheFilesAndTheDatasetCacheEvaluationAndLogFollow() throws {
        let h = Harness()
        h.session.settings.cache.mode = CacheMode.none  // reads decode the files: a stale path would read black
        XCTAssertEqual(h.run("load data").0, .success)
        XCTAssertEqual(h.run("model tiny").0, .success)
        XCTAssertEqual(h.run("eval").0, .success)
        let data = h.root + "/data"
        let original = snapshot(h.session.dataset!)
        let originalEvaluation = h.session.evaluations.first { $0.taskName == "印花" }!
        let image = try XCTUnwrap(h.session.dataset!.files.firstIndex(of: data + "/印花/val/人物/1.png"))
        let pixels = h.session.dataset!.cache.image(image).pixels
        XCTAssertNotEqual(Set(pixels), [0])

        // relabel, named as show worst names it
        XCTAssertEqual(h.run("relabel 印花/val/人物/1.png 卡通").1,
                       "relabel 印花/val/人物/1.png: 人物 → 卡通, now 印花/val/卡通/1-1.png")  // 卡通 has a 1.png already
        XCTAssertFalse(exists(data + "/印花/val/人物/1.png"))
        XCTAssertTrue(exists(data + "/印花/val/卡通/1-1.png"))
        XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(data, h))
        XCTAssertEqual(h.session.dataset!.cache.sourcePath(of: image), data + "/印花/val/卡通/1-1.png")
        XCTAssertEqual(h.session.dataset!.cache.image(image).pixels, pixels)
        var e = h.session.evaluations.first { $0.taskName == "印花" }!
        let task = h.session.dataset!.tasks.first { $0.name == "印花" }!
        XCTAssertEqual(e.labels, task.val.map(\.label))
        // val was 人物 0 1 2, 卡通 0 1 2; 1-1.png sorts before 1.png ('-' before '.')
        let row = task.val.firstIndex { $0.image == image }!, oldRow = 1
        XCTAssertEqual(row, 3)
        XCTAssertEqual(Array(e.logits.scalars[(row * 2)..<(row * 2 + 2)]), Array(originalEvaluation.logits.scalars[(oldRow * 2)..<(oldRow * 2 + 2)]))
        XCTAssertEqual(e.labels[row], 1)
        XCTAssertEqual(logLines(h).count, 1)
        XCTAssertTrue((logLines(h).first ?? "").contains(#""action": "relabel", "file": "1-1.png", "from": "data/印花/val/人物/1.png", "to": "data/印花/val/卡通/1-1.png"}"#), "\(logLines(h))")

        // drop, named by a path relative to the working directory
        XCTAssertEqual(h.run("drop data/印花/train/卡通/2.png").1,
                       "drop 印花/train/卡通/2.png: 卡通 → quarantine, now data.quarantine/印花/train/卡通/2.png")
        XCTAssertTrue(exists(h.root + "/data.quarantine/印花/train/卡通/2.png"))
        XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(data, h))
        XCTAssertEqual(logLines(h).count, 2)
        XCTAssertTrue((logLines(h).dropFirst().first ?? "").contains(#""action": "drop", "file": "2.png", "from": "data/印花/train/卡通/2.png", "to": "data.quarantine/印花/train/卡通/2.png"}"#))

        // a val drop takes its row out of the evaluation
        let valImage = h.session.dataset!.files.firstIndex(of: data + "/印花/val/人物/0.png")!
        XCTAssertEqual(h.run("drop 印花/val/人物/0.png").0, .success)
        e = h.session.evaluations.first { $0.taskName == "印花" }!
        XCTAssertEqual(e.labels.count, originalEvaluation.labels.count - 1)
        XCTAssertEqual(e.labels, h.session.dataset!.tasks[0].val.map(\.label))
        XCTAssertFalse(h.session.dataset!.tasks[0].val.contains { $0.image == valImage })

        // undo walks back, newest first, to the tree, dataset and evaluation of the start
        XCTAssertEqual(h.run("undo").1, "undo drop data.quarantine/印花/val/人物/0.png: quarantine → 人物, now 印花/val/人物/0.png")
        XCTAssertEqual(h.run("undo").0, .success)
        XCTAssertEqual(h.run("undo").1, "undo relabel 印花/val/卡通/1-1.png: 卡通 → 人物, now 印花/val/人物/1.png")
        XCTAssertEqual(h.run("undo").1, "error: undo: nothing to undo (relabel and drop since the last load are undone, newest first)")
        XCTAssertTrue(exists(data + "/印花/val/人物/1.png") && exists(data + "/印花/train/卡通/2.png") && exists(data + "/印花/val/人物/0.png"))
        XCTAssertEqual(snapshot(h.session.dataset!), original)
        XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(data, h))
        XCTAssertEqual(h.session.dataset!.cache.sourcePath(of: image), data + "/印花/val/人物/1.png")
        e = h.session.evaluations.first { $0.taskName == "印花" }!
        XCTAssertEqual(e.labels, originalEvaluation.labels)
        XCTAssertEqual(e.logits.scalars, originalEvaluation.logits.scalars)  // the same stored numbers, gathered back in order
        XCTAssertEqual(logLines(h).map { $0.components(separatedBy: #""action": ""#)[1].prefix { $0 != "\"" } },
                       ["relabel", "drop", "drop", "undo drop", "undo drop", "undo relabel"])
    }

    func testNamesLeavingTheTreeAndFilesChangedOrVanishedSinceLoadAreRefusedAndNothingChanges() throws {
        let h = Harness()
        let data = h.root + "/data"
        let outside = h.root + "/outside.png"
        try PNG.encode(RGBImage(width: 12, height: 12, pixels: [UInt8](repeating: 9, count: 432))).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: data + "/颜色/train/红/link.png", withDestinationPath: outside)
        XCTAssertEqual(h.run("load data").0, .success)
        let before = snapshot(h.session.dataset!)
        func refused(_ line: String, _ expected: String, file: StaticString = #filePath, line number: UInt = #line) {
            let (result, text) = h.run(line)
            XCTAssertEqual(result, .failure, file: file, line: number)
            XCTAssertTrue(text.contains(expected), text, file: file, line: number)
            XCTAssertEqual(snapshot(h.session.dataset!), before, file: file, line: number)
            XCTAssertTrue(h.session.curationMoves.isEmpty, file: file, line: number)
            XCTAssertFalse(exists(h.root + "/logs/curation.jsonl") && !logLines(h).isEmpty, file: file, line: number)
        }
        refused("relabel 印花/val/人物/../../../../outside.png 卡通", "'..' is refused")
        refused("drop data/../outside.png", "'..' is refused")
        refused("drop \(outside)", "lies outside the dataset tree")
        refused("drop 颜色/train/红/link.png", "points outside the dataset tree")
        XCTAssertTrue(exists(outside))

        try FileManager.default.removeItem(atPath: data + "/印花/train/人物/3.png")
        refused("relabel 印花/train/人物/3.png 卡通", "印花/train/人物/3.png vanished since load")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: data + "/印花/train/人物/4.png"))
        refused("drop 印花/train/人物/4.png", "印花/train/人物/4.png changed since load (its size went from")
        XCTAssertTrue(exists(data + "/印花/train/人物/4.png"))
        XCTAssertFalse(exists(h.root + "/data.quarantine"))
        // the session goes on: another image moves
        XCTAssertEqual(h.run("drop 印花/train/人物/5.png").0, .success)
        XCTAssertEqual(logLines(h).count, 1)
    }

    func testRelabelInATaskWithoutValFolderSplitsTheClassesAsLoadWould() throws {
        let h = Harness()
        let tree = h.root + "/split"
        for (label, shade) in [("a", UInt8(30)), ("b", UInt8(200))] {
            try FileManager.default.createDirectory(atPath: "\(tree)/t/train/\(label)", withIntermediateDirectories: true)
            for i in 0..<9 {
                try PNG.encode(RGBImage(width: 12, height: 12, pixels: [UInt8](repeating: shade &+ UInt8(i), count: 432)))
                    .write(to: URL(fileURLWithPath: "\(tree)/t/train/\(label)/\(label)\(i).png"))
            }
        }
        XCTAssertEqual(h.run("load split").0, .success)
        for name in ["a0", "a3", "a7", "a1"] {
            XCTAssertEqual(h.run("relabel \(name).png b").0, .success)
            XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(tree, h), name)
        }
        XCTAssertEqual(h.run("drop b5.png").0, .success)
        XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(tree, h))
        for _ in 0..<5 { XCTAssertEqual(h.run("undo").0, .success) }
        XCTAssertEqual(snapshot(h.session.dataset!), try freshLoad(tree, h))
        XCTAssertEqual(h.session.dataset!.tasks[0].train.count + h.session.dataset!.tasks[0].val.count, 18)
    }

    func testTheLastTrainingImageOfAClassIsNotMoved() throws {
        let h = Harness()
        XCTAssertEqual(h.run("load data").0, .success)
        for i in 0..<5 { XCTAssertEqual(h.run("drop 颜色/train/红/\(i).png").0, .success) }
        XCTAssertEqual(h.run("relabel 颜色/train/红/5.png 绿").1,
                       "error: relabel: 颜色/train/红/5.png is the last training image of class 红 of task 颜色; a class without training images cannot be loaded; nothing moved")
        XCTAssertTrue(exists(h.root + "/data/颜色/train/红/5.png"))
    }

    func testTabCompletesImagesFolderByFolderAndTheClassesOfTheImagesTask() throws {
        let h = Harness()
        XCTAssertEqual(h.run("load data").0, .success)
        XCTAssertEqual(completions(before: ["relabel"], word: "颜", in: h.session), ["颜色/"])
        XCTAssertEqual(completions(before: ["drop"], word: "颜色/val/红/", in: h.session), ["颜色/val/红/0.png", "颜色/val/红/1.png", "颜色/val/红/2.png"])
        XCTAssertEqual(completions(before: ["relabel", "颜色/val/红/0.png"], word: "", in: h.session), ["红", "绿", "蓝"])
        XCTAssertEqual(completions(before: ["review"], word: "", in: h.session), ["suspects", "worst", "dupes"])
        XCTAssertEqual(completionStep(head: "卡", candidates: ["人物", "卡通"]), CompletionStep(insertion: "通 "))
    }
}

extension CurationTests {
    func testALogThatCannotBeWrittenMovesNothing() throws {
        let h = Harness()
        XCTAssertEqual(h.run("load data").0, .success)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: h.root + "/blocked"))
        h.session.settings.logsFolder = "blocked"
        let (result, text) = h.run("drop 印花/train/人物/0.png")
        XCTAssertEqual(result, .failure)
        XCTAssertTrue(text.hasPrefix("error: drop: cannot open the curation log \(h.root)/blocked/curation.jsonl: "), text)
        XCTAssertTrue(text.hasSuffix("; nothing moved"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/data/印花/train/人物/0.png"))
        XCTAssertEqual(h.session.dataset!.tasks[0].train.count, 12)
        XCTAssertTrue(h.session.curationMoves.isEmpty)
    }
}

extension CurationTests {
    func testADiskCacheReadsAMovedImageFromItsNewPlaceWhenItCannotGiveIt() throws {
        let h = Harness()
        h.session.settings.cache.mode = .disk
        h.session.settings.cache.folder = h.root + "/cache"
        XCTAssertEqual(h.run("load data").0, .success)
        XCTAssertEqual(h.session.dataset!.cache.mode, .disk)
        let image = try XCTUnwrap(h.session.dataset!.files.firstIndex(of: h.root + "/data/颜色/train/蓝/4.png"))
        XCTAssertEqual(h.run("relabel 颜色/train/蓝/4.png 红").0, .success)
        XCTAssertEqual(h.session.dataset!.cache.sourcePath(of: image), h.root + "/data/颜色/train/红/4-1.png")
        XCTAssertEqual(h.run("undo").0, .success)
        XCTAssertEqual(h.session.dataset!.cache.sourcePath(of: image), h.root + "/data/颜色/train/蓝/4.png")
    }
}
