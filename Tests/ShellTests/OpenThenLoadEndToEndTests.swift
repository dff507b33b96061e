import Foundation
import XCTest

final class OpenThenLoadEndToEndTests: XCTestCase {
    /// A checkpoint opened before any dataset says what works without one; loading the tree it was
    /// evaluated on keeps its stored evaluation, so `show worst` reads it without `eval`.
    func testOpenThenLoadKeepsTheStoredEvaluation() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let samples = MTMC.repository + "/samples/prints"
        try MTMC.prepare("set size 16; load \(samples); balance base 4; model tiny; train 1; eval; calibrate; save ck.safetensors", in: folder)
        let (status, output) = try MTMC.run(["-c", "open ck.safetensors; show report 颜色; load \(samples); show worst 颜色 3"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("\nno dataset loaded: predict, save, show calib, export calib, show confused, show report, plot confusion, calibrate work now; "
                                      + "eval, train, lr find, check labels, similar; show worst and plot worst once the tree it was evaluated on is loaded "
                                      + "need load of a tree with these tasks and classes\n"), output)
        XCTAssertTrue(output.contains("\nthe checkpoint's val evaluation (印花, 颜色) matches these images: show worst, plot worst and plot why read it without eval\n"), output)
        let worst = output.components(separatedBy: "mtmc> show worst 颜色 3\n").last ?? ""
        XCTAssertTrue(worst.hasPrefix("task 颜色 (val, 80 images): the highest losses\n"), output)
        XCTAssertEqual(worst.split(separator: "\n").filter { $0.contains("颜色/val/") }.count, 3, worst)
    }

    /// A tree whose val images differ from the evaluated ones (here: one fewer) drops that stored evaluation and says so.
    func testLoadingOtherImagesDropsTheStoredEvaluation() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/prints"
        try FileManager.default.copyItem(atPath: MTMC.repository + "/samples/prints", toPath: copy)
        try MTMC.prepare("set size 16; load prints; balance base 4; model tiny; train 1; eval; save ck.safetensors", in: folder)
        let red = copy + "/颜色/val/红"
        let first = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: red).sorted().first)
        try FileManager.default.removeItem(atPath: red + "/" + first)
        let (status, output) = try MTMC.run(["--keep-going", "-c", "open ck.safetensors; load prints; show worst 颜色 3; show worst 印花 1"], in: folder)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("\nthe checkpoint's val evaluation of 印花 matches these images; its evaluation of 颜色 was of other val images and is dropped: run eval\n"), output)
        XCTAssertTrue(output.contains("error: show worst: no task '颜色'"), output)
        XCTAssertTrue(output.contains("task 印花 (val, "), output)
    }
}
