import Engine
import Foundation
import Vision
import XCTest

/// Layouts people already have: a single-task ImageFolder tree, a tree without val/, nested prediction folders.
final class DatasetLayoutEndToEndTests: XCTestCase {
    private var folder = ""

    override func setUp() { folder = MTMC.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Writes `count` distinct 12×12 PNGs named 0.png… into `relative` (under the test's folder), from `first`.
    private func images(_ relative: String, count: Int, first: Int = 0) throws {
        let path = folder + "/" + relative
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for i in first..<(first + count) {
            var rng = RandomGenerator(seed: UInt64(i + 1000 * relative.unicodeScalars.count))
            let pixels = (0..<(12 * 12 * 3)).map { _ in UInt8(rng.next() % 256) }
            try PNG.encode(RGBImage(width: 12, height: 12, pixels: pixels)).write(to: URL(fileURLWithPath: path + "/\(i).png"))
        }
    }

    func testAnImageFolderTreeLoadsAsOneTaskNamedAfterItsRoot() throws {
        for label in ["猫", "狗"] {
            try images("宠物/train/\(label)", count: 3)
            try images("宠物/val/\(label)", count: 2)
        }
        let (status, output) = try MTMC.run(["-c", "set size 8; load 宠物; info"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains(": 1 tasks, 10 images, "), output)
        XCTAssertTrue(output.contains("\ntask 宠物: 2 classes, 6 train, 4 val\n"), output)
        XCTAssertTrue(output.contains("\ndataset: \(folder)/宠物, 宠物 (2 classes, 6 train, 4 val)\n"), output)
    }

    /// The val files of class 甲 as `show class` lists them.
    private func valFiles(_ output: String) -> [String] {
        let val = output.components(separatedBy: "  val: ").last ?? ""
        let files = val.components(separatedBy: "first files: ").dropFirst().first?.split(separator: "\n").first ?? ""
        return files.components(separatedBy: ", ").filter { !$0.isEmpty }
    }

    /// Without val/, each class holds out its share by file name: stable when files are added, said by load and
    /// info, and the disk cache (which keys on the files, not the split) is reused when only the share changes.
    func testATreeWithoutValIsSplitBySeededShareStableWhenFilesAreAdded() throws {
        try images("形/形/train/甲", count: 10)
        try images("形/形/train/乙", count: 10)
        let script = "set size 8; set cache disk; set cachedir cache; load 形; info; show class 甲"
        let first = try MTMC.run(["-c", script], in: folder)
        XCTAssertEqual(first.status, 0, first.output)
        let said = "20 % of each class's train/ files, chosen by a hash of seed 1 and each file's path (no val/ folder; set valsplit, then load)"
        XCTAssertTrue(first.output.contains("\ntask 形: 2 classes, 16 train, 4 val; val: " + said + "\n"), first.output)
        XCTAssertTrue(first.output.contains("\nval of 形: " + said + "\n"), first.output)
        let before = valFiles(first.output)
        XCTAssertEqual(before.count, 2, first.output)

        try images("形/形/train/甲", count: 5, first: 10)
        let grown = try MTMC.run(["-c", script], in: folder)
        XCTAssertEqual(grown.status, 0, grown.output)
        XCTAssertTrue(grown.output.contains("\ntask 形: 2 classes, 20 train, 5 val; val: "), grown.output)
        let after = valFiles(grown.output)
        XCTAssertEqual(after.count, 3, grown.output)
        XCTAssertEqual(Set(before).subtracting(after), [], "files held out before stay held out: \(before) then \(after)")

        let halved = try MTMC.run(["-c", "set valsplit 0.5; " + script], in: folder)
        XCTAssertEqual(halved.status, 0, halved.output)
        XCTAssertTrue(halved.output.contains("\ntask 形: 2 classes, 12 train, 13 val; val: 50 % of each class's"), halved.output)
        XCTAssertTrue(halved.output.contains("cache: reused "), "the split does not change the cached images:\n" + halved.output)
        XCTAssertTrue(try MTMC.run(["-c", "set valsplit 0.95"], in: folder).output
                        .contains("\nerror: set valsplit: '0.95' is not allowed; allowed: 0.0 to 0.9; it stays 0.2\n"))
    }

    func testPredictOfAFolderReadsItsSubFolders() throws {
        try images("树/任务/train/甲", count: 2)
        try images("树/任务/val/甲", count: 1)
        try images("树/任务/train/乙", count: 2)
        try images("树/任务/val/乙", count: 1)
        try images("新图/一/二", count: 1)
        try images("新图", count: 1)
        let (status, output) = try MTMC.run(["-c", "set size 8; load 树; model tiny; predict 新图"], in: folder)
        XCTAssertEqual(status, 0, output)
        let shown = output.split(separator: "\n").filter { $0.hasPrefix("新图/") }
        XCTAssertEqual(shown, ["新图/0.png", "新图/一/二/0.png"], output)
    }
}
