import Foundation
@testable import MTMC
import XCTest

/// The JSON line of a prediction (`predict --json`, serve's answers): keys in code-point order, strings escaped,
/// values that JSON cannot hold as null, and text any JSON parser reads back to the same values.
final class PredictionJSONTests: XCTestCase {
    func report(calibrated: Bool) -> PredictionReport {
        var report = PredictionReport()
        report.calibrated = calibrated
        report.backbonePasses = 1
        report.results = [(path: "a/b \"c\".jpg", tasks: [
            (task: "颜色", scores: [ClassScore(classIndex: 0, name: "红", raw: 2.5, softmax: 0.75, confidence: calibrated ? 0.9 : nil)]),
            (task: "kind\n\t\u{1}", scores: [ClassScore(classIndex: 1, name: "a\\b", raw: .nan, softmax: -.infinity, confidence: calibrated ? 0.25 : nil),
                                             ClassScore(classIndex: 0, name: "x/y", raw: 1e-5, softmax: 1, confidence: calibrated ? 0.5 : nil)]),
        ])]
        return report
    }

    func testAnUncalibratedLineIsExactlyThisText() {
        XCTAssertEqual(report(calibrated: false).jsonLines(), [
            #"{"backbone_passes":1,"image":"a/b \"c\".jpg","tasks":{"kind\n\t\u0001":[{"class":"a\\b","confidence":null,"raw":null,"softmax":null},"#
            + #"{"class":"x/y","confidence":null,"raw":1e-05,"softmax":1}],"颜色":[{"class":"红","confidence":null,"raw":2.5,"softmax":0.75}]}}"#,
        ])
    }

    func testACalibratedLineNamesTheClassesAboveTheThresholdAndParsesBack() throws {
        let line = try XCTUnwrap(report(calibrated: true).jsonLines(threshold: 0.5).first)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["above"] as? [String: [String]], ["颜色": ["红"], "kind\n\t\u{1}": ["x/y"]])
        XCTAssertEqual(object["image"] as? String, "a/b \"c\".jpg")
        let tasks = try XCTUnwrap(object["tasks"] as? [String: [[String: Any]]])
        XCTAssertEqual(tasks["颜色"]?.first?["confidence"] as? Double, 0.9)
        XCTAssertEqual(tasks["kind\n\t\u{1}"]?.last?["raw"] as? Double, 1e-5)
        XCTAssertTrue(line.hasPrefix(#"{"above":{"kind"#), "keys in code-point order: \(line)")
    }
}
