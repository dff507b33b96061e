@testable import Commands
import Foundation
import MTMC
import XCTest

/// One session state: every setting lives in `Session.settings`, and the trainer reads it from there, so no
/// command (or caller) can leave the trainer with a stale copy.
final class SessionStateTests: XCTestCase {
    func testTheTrainerAlwaysHasTheSessionsSettings() throws {
        let h = Harness()
        h.run("load data")
        h.run("set bn shared")
        h.run("model tiny")
        let trainer = try XCTUnwrap(h.session.trainer)
        XCTAssertTrue(trainer.model.sharedStatistics)
        h.session.settings.training.learningRate = 0.7  // a direct change, not through `set`
        XCTAssertEqual(trainer.settings, h.session.settings.training)
        h.session.settings.sharedStatistics = false
        XCTAssertFalse(trainer.model.sharedStatistics)
        h.run("set seed 9"); h.run("balance base 3")
        XCTAssertEqual(trainer.settings.seed, 9)
        XCTAssertEqual(trainer.balance, h.session.balance)
        h.run("save m.safetensors")
        h.run("set lr 0.05")
        XCTAssertEqual(h.run("open m.safetensors").0, .success)
        let opened = try XCTUnwrap(h.session.trainer)
        XCTAssertEqual(opened.settings.learningRate, 0.7, "the checkpoint's settings, not those of before open")
        XCTAssertEqual(opened.settings, h.session.settings.training)
        XCTAssertEqual(opened.balance, h.session.balance)
    }
}
