@testable import Commands
import Foundation
import MTMC
import XCTest

/// What the shell says about how commands are typed: usage hints and `help`.
final class UsageTextTests: XCTestCase {
    /// A path with spaces typed without quotes gets a hint with the quotes.
    func testAnUnquotedPathWithSpacesGetsTheQuotedForm() {
        let h = Harness()
        XCTAssertEqual(h.run("load my data").1, "error: usage: load PATH; a path with spaces needs quotes: load \"my data\"")
        XCTAssertEqual(h.run("save my model.safetensors").1,
                       "error: usage: save PATH; a path with spaces needs quotes: save \"my model.safetensors\"")
        XCTAssertEqual(h.run("train 1 2").1, "error: usage: train N")
    }

    /// `help` fits a 100-column terminal: long usages and summaries wrap instead of padding every line.
    func testHelpFitsAHundredColumns() {
        let h = Harness()
        let text = h.run("help").1
        let widest = text.split(separator: "\n").map { displayWidth(String($0)) }.max() ?? 0
        XCTAssertLessThanOrEqual(widest, 100, text)
        // Wrapped between alternatives, never inside one.
        XCTAssertNotNil(text.range(of: #"\n  show calib CLASS \[TASK\] \| +calibration tables;"#, options: .regularExpression), text)
        XCTAssertNotNil(text.range(of: #"\n  show calib TASK \| +"#, options: .regularExpression), text)
        XCTAssertNotNil(text.range(of: #"\n  show report TASK \|[^\n]*\n  show worst TASK \[N\] \|\n  show why IMG \[TASK\] \[--class NAME\] \|\n  show data \[TASK\] \|\n"#,
                                   options: .regularExpression), text)
    }
}
