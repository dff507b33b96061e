import Foundation
import XCTest

final class LearningRateFindEndToEndTests: XCTestCase {
    /// After a few epochs of both sample tasks, whose losses differ by two orders of magnitude, `lr find`
    /// suggests a rate that can still train. The bound: on this recipe 0.01 is the lowest rate README's
    /// ablation shows training well (92 % at 20 epochs; 0.02 and 0.05 too), so a usable suggestion is at least
    /// half of it, 5e-3. One average over both tasks, read at its minimum ÷ 10, would suggest 0.0015 here (and
    /// 1.3e-6 after 8 epochs at 64×64), where a run barely moves. The chart's row labels are distinct.
    func testOnATrainedTwoTaskModelTheSuggestionIsUsable() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, output) = try MTMC.run(["-c", "set size 8; load \(MTMC.repository)/samples/prints; balance base 8; set batch 16; model tiny; train 3; lr find"],
                                            in: folder)
        XCTAssertEqual(status, 0, output)
        let lines = output.components(separatedBy: "mtmc> lr find\n").last!.components(separatedBy: "\n")
        XCTAssertTrue(lines.contains("smoothed loss of each task ÷ its lowest (at least 0.1), mean over 印花, 颜色"), output)
        let labels = lines.filter { $0.contains(" │") }.map { $0.components(separatedBy: " │")[0].trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(labels.count, 12, output)
        XCTAssertEqual(Set(labels).count, labels.count, "distinct row labels: \(labels)")
        let suggested = try XCTUnwrap(lines.first { $0.hasPrefix("suggested lr ") }, output)
        let rate = try XCTUnwrap(Double(suggested.dropFirst("suggested lr ".count).prefix { $0 != " " }), suggested)
        XCTAssertGreaterThanOrEqual(rate, 5e-3, suggested)
        XCTAssertLessThanOrEqual(rate, 1, suggested)
        XCTAssertTrue(suggested.hasSuffix("; use it with: set lr \(suggested.dropFirst("suggested lr ".count).prefix { $0 != " " })"), suggested)
    }

    /// On a terminal (a pseudo-terminal made by script(1)) the sweep shows a progress line, redrawn in place:
    /// carriage return, erase to the end of the line, the step and its rate.
    func testTheSweepShowsAProgressLineOnATerminal() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let commands = "set size 8; load \(MTMC.repository)/samples/prints; balance base 2; set batch 8; model tiny; lr find 颜色"
        let (status, raw) = try MTMC.runCommand("/usr/bin/script", ["-qec", "'" + MTMC.binary + "' -c '" + commands + "'", "/dev/null"], in: folder)
        XCTAssertEqual(status, 0, raw)
        XCTAssertTrue(raw.contains("\r\u{1B}[Klr find: step 1/100, lr 1e-05"), "progress line:\n" + raw)
    }
}
