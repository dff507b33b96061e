import Foundation
import MTMC
import XCTest

final class TextChartTests: XCTestCase {
    func testAFallingLineRunsFromTopLeftToBottomRightWithLabelsAndNoTrailingSpaces() {
        let lines = textChart([(0, 3), (1, 2), (2, 1)], width: 5, height: 3, xLabel: { String(format: "%.0f", $0) },
                              yLabel: { String(format: "%.1f", $0) })
        XCTAssertEqual(lines, ["3.0 │•", "2.0 │  •", "1.0 │    •", "    └─────", "     0 1 2"])
        XCTAssertEqual(textChart([], xLabel: { "\($0)" }, yLabel: { "\($0)" }), [])
    }
}
