import Foundation
import XCTest

/// The JSON comparison the serving tests use: rounding passes, anything else is named with its path.
final class JSONWithinToleranceTests: XCTestCase {
    private let answer = #"{"above":{"颜色":["蓝"]},"image":"a.jpg","tasks":{"颜色":[{"class":"蓝","raw":0.04190434142947197},{"class":"红","raw":-0.0033461025450378656}]}}"#

    private func difference(_ edited: String) throws -> String? {
        try JSONValue(edited).firstDifference(from: JSONValue(answer), at: "")
    }

    func testTheLastBitsOfAFloatDoNotCount() throws {
        // The two numbers a served answer and `mtmc predict` gave for one image on an AVX2-only processor.
        XCTAssertNil(try difference(answer.replacingOccurrences(of: "0.04190434142947197", with: "0.04190433397889137")))
        XCTAssertNil(try difference(answer.replacingOccurrences(of: "-0.0033461025450378656", with: "-0.00334610091522336")))
    }

    func testOtherNumbersClassesDecisionsAndKeysCount() throws {
        XCTAssertEqual(try difference(answer.replacingOccurrences(of: "0.04190434142947197", with: "0.0419")),
                       ".tasks.颜色[0].raw: 0.0419, expected 0.04190434142947197 (beyond relative 1e-05)")
        XCTAssertEqual(try difference(answer.replacingOccurrences(of: #"["蓝"]"#, with: "[]")), ".above.颜色: 0 elements, expected 1")
        XCTAssertEqual(try difference(answer.replacingOccurrences(of: #""class":"红""#, with: #""class":"绿""#)),
                       #".tasks.颜色[1].class: "绿", expected "红""#)
        XCTAssertEqual(try difference(answer.replacingOccurrences(of: #""image""#, with: #""name""#)),
                       #"the top: keys ["above", "name", "tasks"], expected ["above", "image", "tasks"]"#)
        XCTAssertEqual(try difference(answer.replacingOccurrences(of: #""a.jpg""#, with: "1")), #".image: 1.0, expected "a.jpg""#)
    }
}
