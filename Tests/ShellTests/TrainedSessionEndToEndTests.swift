import Foundation
import XCTest

/// A session on the bundled samples after a first `train`: what a second one says, and names that belong elsewhere.
final class TrainedSessionEndToEndTests: XCTestCase {
    private func run(_ commands: [String]) throws -> [String] {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = (["set size 16", "load \(MTMC.repository)/samples/prints", "balance base 2", "model tiny"] + commands).joined(separator: "\n")
        try script.write(toFile: folder + "/s.mtmc", atomically: true, encoding: .utf8)
        let (status, output) = try MTMC.run(["--keep-going", "s.mtmc"], in: folder)
        XCTAssertEqual(status, commands.contains { $0.hasPrefix("show") || $0.hasPrefix("plot") } ? 1 : 0, output)
        return output.components(separatedBy: "\n")
    }

    func testASecondTrainSaysTheRateRestartsAtItsPeakAndHowToGoOnLower() throws {
        let plans = try run(["train 1", "train 2", "set epochs 4", "train 1"]).filter { $0.hasPrefix("plan: ") }
        XCTAssertEqual(plans, [
            "plan: lr 0.05, cosine over epochs 1–1 (this run), batch 64, augment off (auto for 1 epochs), hflip off",
            "plan: lr 0.05, cosine over epochs 2–3 (this run), batch 64, augment off (auto for 2 epochs), hflip off; the rate restarts at "
                + "its peak 0.05 after 1 epoch already trained (to go on lower: set epochs 3 for one cosine over epochs 1–3, or set lr 0.005)",
            "plan: lr 0.05, cosine over epochs 1–4 (the plan of set epochs 4), batch 64, augment off (auto for 1 epochs), hflip off",
        ])
    }

    func testAClassGivenWithTheWrongTaskNamesTheTaskItBelongsTo() throws {
        let errors = try run(["show class 红 印花", "plot samples 印花 红", "train 1", "eval", "calibrate", "show calib 红 印花", "show calib 红 色"])
            .filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors, [
            "error: show class: class '红' belongs to task 颜色, not to 印花",
            "error: plot samples: class '红' belongs to task 颜色, not to 印花",
            "error: show calib: class '红' belongs to task 颜色, not to 印花",
            "error: show calib: no task '色'; tasks: 印花, 颜色",
        ])
    }
}
