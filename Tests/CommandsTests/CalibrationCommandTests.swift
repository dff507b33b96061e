import Commands
import Engine
import Foundation
import MTMC
import XCTest

final class CalibrationCommandTests: XCTestCase {
    /// A task with a strong class (200 val, ranked perfectly), a rare one (16 val, ranked perfectly) and a
    /// confused one (200 val, each just below an image of the strong class: precision never above 1/2).
    private func threeKindsOfClass() throws -> TaskCalibration {
        var logits: [Float] = [], labels: [Int] = []
        for i in 0..<200 { labels.append(0); logits += [5 + Float(i) / 100, -5, 1 + Float(i) / 100 + 0.005] }
        for i in 0..<16 { labels.append(1); logits += [-5, 10 + Float(i), -5] }
        for i in 0..<200 { labels.append(2); logits += [-5, -5, 1 + Float(i) / 100] }
        return TaskCalibration(task: "衣服", classes: ["强", "稀", "混"], logits: try Tensor(shape: [416, 3], values: logits), labels: labels)
    }

    func testShowCalibTaskFlagsWeakClassesAndSaysWhatWouldHelp() throws {
        let h = Harness()
        h.session.calibration = [try threeKindsOfClass()]
        let (result, report) = h.run("show calib 衣服")
        XCTAssertEqual(result, .success, report)
        XCTAssertTrue(report.hasPrefix("task 衣服: temperature "), report)
        // The rare class: 45 levels from its 16 images; its halves (8 each) are below calibmin, so nothing is held out.
        let rare = report.split(separator: "\n").first { $0.hasPrefix("  稀 ") }?.split(separator: " ").map(String.init)
        XCTAssertEqual(rare, ["稀", "16", "45/45", "0.98", "16", "0.81", "10.00", "10.00", "10.00", "—"])
        XCTAssertTrue(report.contains("  weak: 混 — best level 0.50; 0.52 and above: precision never gets there; would help: a model that separates it better"), report)
        XCTAssertTrue(report.contains("  weak: 稀 — only 16 validation images (< 3 × calibmin); would help: more validation images of this class"), report)
        XCTAssertFalse(report.contains("weak: 强"), report)
        let (_, table) = h.run("show calib 混")
        XCTAssertTrue(table.contains("levels 0.52–0.98: not reached, precision never gets there"), table)
    }

    func testCalibrationSettingsAreCheckedAndUsedByTheNextCalibrate() {
        let h = Harness()
        XCTAssertEqual(h.run("set calibmin 0").1, "error: set calibmin: '0' is not allowed; allowed: whole number 1 to 1000000; it stays 10")
        XCTAssertEqual(h.run("set calibrate bold").1, "error: set calibrate: 'bold' is not allowed; allowed: estimate or conservative; it stays estimate")
        XCTAssertEqual(h.run("set calibfit spline").1, "error: set calibfit: 'spline' is not allowed; allowed: isotonic or interpolated; it stays isotonic")
        XCTAssertEqual(h.run("set calibrate conservative").1, "calibrate = conservative")
        XCTAssertEqual(h.run("set calibmin 2").1, "calibmin = 2")
        XCTAssertEqual(h.run("set calibfit interpolated").1, "calibfit = interpolated")
        h.run("load data")
        h.run("model tiny")
        h.run("eval")
        let (result, report) = h.run("calibrate 颜色")
        XCTAssertEqual(result, .success, report)
        XCTAssertTrue(report.hasPrefix("precision from interpolated fit, levels read from the Wilson 95 % lower bound with ≥ 2 samples"), report)
        XCTAssertEqual(h.session.calibration.first?.options, CalibrationOptions(fit: .interpolated, mode: .conservative, minimumSupport: 2))
    }

    func testACheckpointWithOldFormTablesOpensWithoutThem() throws {
        let h = Harness.withTinyModel()
        // The legacy form: thresholds and support per level only.
        let old = #"[{"task":"印花","classes":["人物","卡通"],"tables":[{"thresholds":[null],"support":[0],"positives":3}],"temperature":1}]"#
        try Checkpoint.save(trainer: h.session.trainer!, tasks: h.session.modelTasks, calibration: old, to: h.root + "/old.safetensors")
        let (result, message) = h.run("open old.safetensors")
        XCTAssertEqual(result, .success, message)
        XCTAssertTrue(message.hasSuffix("; its calibration is in an older form and was left out: run eval, then calibrate"), message)
        XCTAssertTrue(h.session.calibration.isEmpty)
    }
}
