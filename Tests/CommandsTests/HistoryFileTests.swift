@testable import Commands
import Foundation
import MTMC
import XCTest

final class HistoryFileTests: XCTestCase {
    /// The history file follows `$HOME` (shells do), not the password database.
    func testTheHistoryFileFollowsHOME() {
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone"]), "/tmp/someone/.local/state/mtmc/history")
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone", "XDG_STATE_HOME": "/tmp/state"]), "/tmp/state/mtmc/history")
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone", "XDG_STATE_HOME": ""]), "/tmp/someone/.local/state/mtmc/history")
    }
}
