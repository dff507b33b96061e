@testable import Commands
import Engine
import Foundation
import Vision
import MTMC
import XCTest

/// Non-finite outputs reach every consumer: reported, never a loop, a crash or an empty line.
final class NonFiniteOutputTests: XCTestCase {
    func testADivergedModelIsReportedAndKeptFromCalibration() throws {
        let h = Harness.withTinyModel()
        let trainer = try XCTUnwrap(h.session.trainer)
        let bias = try XCTUnwrap(trainer.model.namedVariables(prefix: "").first { $0.name == "heads.0.classifier.bias" })
        bias.variable.value = Tensor(shape: bias.variable.value.shape, repeating: .nan)
        let (evaluated, text) = h.run("eval")
        XCTAssertEqual(evaluated, .success)
        XCTAssertTrue(text.hasSuffix("warning: the model gives non-finite outputs: 印花 (12 of 12 outputs); these results are not kept for calibrate and plot: retrain, or open a good checkpoint"), text)
        XCTAssertEqual(h.run("calibrate").1, "error: calibrate: no validation results yet; run eval first")
        XCTAssertEqual(h.run("plot confusion 印花").0, .failure)
        var lines: [String] = []
        try predictImages([h.root + "/data/印花/val/人物/0.png"], shown: ["0.png"], model: trainer.model, tasks: h.session.modelTasks,
                          settings: h.session.settings.training, normalization: trainer.normalization, calibration: [], pixelLimit: 1_000_000) {
            lines += $0.jsonLines()
        }
        XCTAssertEqual(lines.count, 1)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let first = try XCTUnwrap((object["tasks"] as? [String: [[String: Any]]])?["印花"]?.first)
        XCTAssertTrue(first["raw"] is NSNull)
        XCTAssertTrue(h.run("predict data/印花/val/人物/0.png").1.contains("nan"))
    }
}
