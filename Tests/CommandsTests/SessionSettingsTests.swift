import Commands
import Foundation
import MTMC
import XCTest

/// The session's settings are the only copy: the trainer reads them at each use, so `set` changes what the
/// next training step does, and adaptive balance writes the session's own balance.
final class SessionSettingsTests: XCTestCase {
    /// The rate of an epoch's last step, from its line ("… lr 0.01").
    private func rate(_ output: String) -> String? {
        output.split(separator: "\n").last { $0.hasPrefix("epoch ") }?.components(separatedBy: "  lr ").last
    }

    func testSetLearningRateIsTheRateTheNextStepUses() {
        let h = Harness.withTinyModel()
        h.run("set schedule step")  // the base rate all through a short run
        h.run("set lr 0.01")
        XCTAssertEqual(rate(h.run("train 1").1), "0.01")
        h.run("set lr 0.002")
        XCTAssertEqual(rate(h.run("train 1").1), "0.002")
        h.session.settings.training.learningRate = 0.003  // a direct change, not through `set`
        XCTAssertEqual(rate(h.run("train 1").1), "0.003")
    }

    func testAdaptiveBalanceDuringTrainWritesTheSessionsBalance() {
        let h = Harness.withTinyModel()
        h.run("set adaptive 1")
        XCTAssertEqual(h.run("train 1").0, .success)
        guard case .adaptive(let precision) = h.session.balance.mode else { return XCTFail("balance is \(h.session.balance.mode)") }
        XCTAssertEqual(precision.map(\.count), [2, 3], "one precision per class of each task")
    }

    /// The shell's defaults are the table's: `help set` prints them as a fresh session's values.
    func testTheShellsDefaultThresholdAndPixelLimitAreTheTables() {
        let h = Harness()
        XCTAssertTrue(h.run("help set threshold").1.hasPrefix("threshold = \(Float(Defaults.threshold)) (the default)"), h.output.joined())
        XCTAssertTrue(h.run("help set pixellimit").1.hasPrefix("pixellimit = \(Defaults.pixelLimit) (the default)"), h.output.joined())
    }
}
