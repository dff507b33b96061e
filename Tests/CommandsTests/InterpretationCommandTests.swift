import Commands
import Engine
import Foundation
import MTMC
import XCTest

final class InterpretationCommandTests: XCTestCase {
    func testShowConfusedAndReportNeedAnEvaluationAndNameTheTasks() throws {
        XCTAssertEqual(Harness().run("show report 印花").1, "error: show report: no evaluation yet; run eval first")
        let h = Harness.withTinyModel()
        h.run("eval")
        let (bad, message) = h.run("show confused 印")
        XCTAssertEqual(bad, .failure)
        XCTAssertTrue(message.hasPrefix("error: show confused: no task '印'; did you mean 印花?"), message)
        XCTAssertEqual(h.run("show confused 印花 0").1, "error: show confused: N must be a whole number from 1, got '0'")
        let (result, report) = h.run("show report 颜色")
        XCTAssertEqual(result, .success, report)
        XCTAssertTrue(report.hasPrefix("task 颜色 (val):\n  class"), report)
        XCTAssertTrue(report.contains("\n  report: logs/VAL_颜色_Report_"), report)
        let written = try FileManager.default.contentsOfDirectory(atPath: h.root + "/logs").filter { $0.hasPrefix("VAL_颜色_Report_") }
        XCTAssertEqual(written.count, 1)
        let (shown, worst) = h.run("show worst 颜色 2")
        XCTAssertEqual(shown, .success, worst)
        let lines = worst.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, worst)
        XCTAssertEqual(lines[0], "task 颜色 (val, 9 images): the highest losses (confidence: calibrate first)")
        XCTAssertTrue(lines[2].hasPrefix("  颜色/val/"), worst)
        let (plotted, wrote) = h.run("plot worst 颜色 4")
        XCTAssertEqual(plotted, .success, wrote)
        XCTAssertEqual(wrote, "wrote plots/worst_颜色.png")
        let png = try Data(contentsOf: URL(fileURLWithPath: h.root + "/plots/worst_颜色.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testASavedEvaluationIsReadAgainAfterOpenWithoutRunningTheModel() throws {
        let h = Harness.withTinyModel()
        h.run("eval")
        let before = h.run("show confused 颜色").1
        h.run("save m.safetensors")
        let fresh = Harness()
        let (opened, message) = fresh.run("open \(h.root)/m.safetensors")
        XCTAssertEqual(opened, .success, message)
        XCTAssertTrue(message.contains(", with its last val evaluation\n"), message)
        XCTAssertTrue(message.hasSuffix("need load of a tree with these tasks and classes"), "what needs a dataset: \(message)")
        XCTAssertEqual(fresh.run("show confused 颜色").1, before)
        XCTAssertEqual(fresh.run("show report 颜色").0, .success)
    }

    func testShowWhyWritesAHeatMapPerTaskAndPlotWhyASheet() throws {
        let h = Harness.withTinyModel()
        let (result, message) = h.run("show why data/颜色/val/红/0.png")
        XCTAssertEqual(result, .success, message)
        let lines = message.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, message)
        XCTAssertTrue(lines[0].hasPrefix("印花: ") && lines[0].hasSuffix("; wrote plots/why_0_印花.png"), message)
        XCTAssertTrue(lines[1].hasPrefix("颜色: ") && lines[1].hasSuffix("; wrote plots/why_0_颜色.png"), message)
        let (chosen, one) = h.run("show why data/颜色/val/红/0.png --class 蓝")
        XCTAssertEqual(chosen, .success, one)
        XCTAssertTrue(one.hasPrefix("颜色: 蓝 softmax ") && one.hasSuffix("; wrote plots/why_0_颜色_蓝.png"), one)
        XCTAssertEqual(h.run("show why data/颜色/val/红/0.png --class 橙").1, "error: show why: no class '橙'; classes: 印花: 人物 卡通; 颜色: 红 绿 蓝")
        XCTAssertEqual(h.run("show why data/颜色/val/红/0.png 印花 --class 红").1, "error: show why: class '红' belongs to task 颜色, not to 印花")
        XCTAssertTrue(h.run("show why missing.png").1.hasPrefix("error: "), "an image that cannot be read names its path")
        h.run("eval")
        XCTAssertEqual(h.run("plot why 颜色 3").1, "wrote plots/why_颜色.png")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/plots/why_颜色.png"))
    }
}
