import Engine
import Foundation
import MTMC
import XCTest

final class CalibrationTests: XCTestCase {
    func testPrecisionLevelsAreTheOriginals45() {
        XCTAssertEqual(precisionLevels.count, 45)
        XCTAssertEqual(precisionLevels.first, 0.10)
        XCTAssertEqual(precisionLevels.last!, 0.98, accuracy: 1e-12)
        XCTAssertEqual(precisionLevels[1], 0.12, accuracy: 1e-12)
    }

    func testCurveIsMadeMonotoneAndThresholdsAreTheLowestRawOutputHoldingEachLevel() {
        // Scores high to low: +, +, −, +, −, −  → precision at each threshold: 1, 1, 2/3, 3/4, 3/5, 1/2.
        let scores: [Double] = [5, 4, 3, 2, 1, 0]
        let positive = [true, true, false, true, false, false]
        let curve = ClassCalibration.curve(scores: scores, isPositive: positive)
        XCTAssertEqual(curve.map(\.threshold), [5, 4, 3, 2, 1, 0])
        XCTAssertEqual(curve.map(\.precision), [1, 1, 2.0 / 3, 0.75, 0.6, 0.5])
        XCTAssertEqual(curve.map(\.monotone), [1, 1, 2.0 / 3, 2.0 / 3, 0.6, 0.5])  // never rises going down
        let table = ClassCalibration(scores: scores, isPositive: positive)
        func threshold(_ level: Double) -> Double? { table.thresholds[precisionLevels.firstIndex { abs($0 - level) < 1e-9 }!] }
        XCTAssertEqual(threshold(0.50), 0)   // every prediction: 3 of 6
        XCTAssertEqual(threshold(0.60), 1)
        XCTAssertEqual(threshold(0.66), 2)   // from 2 upward: 3/4, 2/3, 1, 1, all ≥ 0.66
        XCTAssertEqual(threshold(0.68), 4)   // 2/3 at 3 breaks it: the 3/4 at 2 does not count
        XCTAssertEqual(threshold(0.70), 4)
        XCTAssertEqual(threshold(0.98), 4)
        XCTAssertEqual(table.support[precisionLevels.firstIndex { abs($0 - 0.60) < 1e-9 }!], 5)
        XCTAssertEqual(table.positives, 3)
        XCTAssertEqual(table.confidence(4.5), 0.98, accuracy: 1e-12)
        XCTAssertEqual(table.confidence(3.5), 0.66, accuracy: 1e-12)
        XCTAssertEqual(table.confidence(2), 0.66, accuracy: 1e-12)
        XCTAssertEqual(table.confidence(-1), 0)
    }

    func testLevelsNeverReachedAreMarkedNotInvented() {
        // A tie at the top between a positive and a negative: precision never rises above 1/2.
        let table = ClassCalibration(scores: [3, 3, 2, 0], isPositive: [true, false, true, false])
        XCTAssertEqual(table.thresholds.prefix(21).map { $0 }, Array(repeating: 0, count: 21))   // 0.10 … 0.50, at 0
        XCTAssertTrue(table.thresholds.dropFirst(21).allSatisfy { $0 == nil })                     // 0.52 … 0.98 never
        XCTAssertEqual(table.support.last, 0)
        // The top prediction wrong: no level holds from any threshold upward.
        XCTAssertTrue(ClassCalibration(scores: [3, 2, 1], isPositive: [false, true, true]).thresholds.allSatisfy { $0 == nil })
    }

    func testTemperatureIsFittedAndECEMatchesAHandComputation() throws {
        // Two classes, logits ±2: softmax top value 0.8808 everywhere; 3 of 4 right.
        let logits = try Tensor(shape: [4, 2], values: [2, -2, 2, -2, -2, 2, -2, 2])
        let labels = [0, 0, 1, 0]
        let c = TaskCalibration(task: "t", classes: ["a", "b"], logits: logits, labels: labels)
        let p = 1 / (1 + exp(-4.0))
        XCTAssertEqual(c.eceBefore, abs(0.75 - p), accuracy: 1e-9)          // one bin: |accuracy − confidence|
        // NLL of 3 right and 1 wrong is minimal when the confidence equals the accuracy: σ(4/T) = 3/4.
        XCTAssertEqual(c.temperature, 4 / log(3), accuracy: 1e-3)
        XCTAssertEqual(c.eceAfter, 0, accuracy: 1e-3)
        XCTAssertEqual(c.tooFew, ["a", "b"])
    }

    func testExportHasTheOriginalsShape() throws {
        let logits = try Tensor(shape: [3, 2], values: [1, 0, 0, 1, 2, -1])
        let c = TaskCalibration(task: "人物", classes: ["是", "否"], logits: logits, labels: [0, 1, 0])
        let object = c.originalExport
        XCTAssertEqual(object["class_idx_dict"] as? [String: String], ["0": "是", "1": "否"])
        XCTAssertEqual((object["pvals"] as? [Double])?.count, 45)
        XCTAssertEqual(((object["ptmat_dict"] as? [String: Any])?["是"] as? [Any])?.count, 45)
    }
}
