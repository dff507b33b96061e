@testable import Commands
import Foundation
import MTMC
import XCTest

final class SetCommandTests: XCTestCase {
    /// A refused value changes nothing; completion offers every setting's fixed values from the one list.
    func testRefusedFoldersChangeNothingAndEverySwitchCompletes() {
        let h = Harness()
        XCTAssertEqual(h.run("set logs \"\"").1, "error: set logs: '' is not allowed; allowed: a folder; it stays logs")
        XCTAssertEqual(h.session.settings.logsFolder, "logs")
        XCTAssertEqual(h.run("set plots \"\"").0, .failure)
        XCTAssertEqual(h.session.settings.plotsFolder, "plots")
        for setting in allSettings where setting.allowed == "on or off" {
            XCTAssertEqual(completions(before: ["set", setting.name], word: "", in: h.session), ["on", "off"], setting.name)
        }
        XCTAssertEqual(completions(before: ["set", "augment"], word: "", in: h.session), ["auto", "off", "light", "full"])
        XCTAssertEqual(completions(before: ["set", "bn"], word: "", in: h.session), ["mixed", "per-task", "shared"])
    }
}
