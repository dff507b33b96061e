@testable import Commands
import Foundation
import MTMC
import XCTest

/// Ctrl-C during `load` and `eval`: the command stops, says so, and the session keeps what it had.
final class InterruptTests: XCTestCase {
    func testCtrlCDuringLoadAndEvalKeepsTheSession() throws {
        let h = Harness.withTinyModel()
        h.run("eval")
        let dataset = h.session.dataset, evaluations = h.session.evaluations.count
        h.session.isCancelled = { true }  // Ctrl-C arrives before the first poll (every 32 images per thread)
        let (loaded, text) = h.run("load data")
        XCTAssertEqual(loaded, .failure)
        XCTAssertTrue(text.hasPrefix("error: load of \(h.root)/data cancelled after "), text)
        XCTAssertTrue(text.hasSuffix("; nothing was loaded; the dataset loaded before is kept"), text)
        XCTAssertEqual(h.session.dataset?.root, dataset?.root)
        XCTAssertEqual(h.session.dataset?.cache.bytes, dataset?.cache.bytes)
        XCTAssertEqual(h.run("eval").0, .failure)
        XCTAssertEqual(h.session.evaluations.count, evaluations, "a cancelled eval keeps the last complete one")
    }
}
