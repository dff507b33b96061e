import Engine
import Foundation
import MTMC
import XCTest

final class CrossFittingTests: XCTestCase {
    func testHalvesAreStratifiedByClass() {
        XCTAssertEqual(CrossFitting(labels: [0, 0, 0, 1, 1, 0, 2]).fold, [0, 1, 0, 0, 1, 1, 0])
    }

    func testCrossFittedECEEqualsAHandComputation() throws {
        // Half 0 (the 1st, 3rd, 5th image of class 0 and the 1st, 3rd of class 1): logits ±3, 4 of 5 right, so the
        // temperature fitted on it solves σ(6/T) = 0.8: T = 6/ln 4. Half 1: logits ±1, 3 of 4 right: T = 2/ln 3.
        // Cross-fitted, half 0 is scored at T = 2/ln 3: confidence σ(3·ln 3) = 27/28, accuracy 0.8 (bin 14);
        // half 1 at T = 6/ln 4: confidence σ(ln 4 / 3) = 1/(1 + 4^(−1/3)), accuracy 0.75 (bin 9).
        let rows: [(label: Int, logits: [Float])] = [
            (0, [3, -3]), (0, [1, -1]), (0, [3, -3]), (0, [-1, 1]), (0, [3, -3]),   // class 0: halves 0 1 0 1 0
            (1, [-3, 3]), (1, [-1, 1]), (1, [3, -3]), (1, [-1, 1]),                 // class 1: halves 0 1 0 1
        ]
        let c = TaskCalibration(task: "t", classes: ["a", "b"], logits: try Tensor(shape: [9, 2], values: rows.flatMap(\.logits)),
                                labels: rows.map(\.label))
        XCTAssertEqual(c.foldTemperatures[0], 2 / log(3.0), accuracy: 1e-6)   // applied to half 0, fitted on half 1
        XCTAssertEqual(c.foldTemperatures[1], 6 / log(4.0), accuracy: 1e-6)
        let half1 = 1 / (1 + pow(4, -1.0 / 3))
        let expected = 5.0 / 9 * abs(0.8 - 27.0 / 28) + 4.0 / 9 * abs(0.75 - half1)
        XCTAssertEqual(c.eceCrossFitted, expected, accuracy: 1e-6)
        // In-sample, one temperature fits all nine and scores them: a different, smaller figure.
        XCTAssertLessThan(c.eceAfter, c.eceCrossFitted)
    }

    func testHeldOutCheckCountsLevelsThatHoldAndHowFarOthersMiss() {
        var check = HeldOutCheck()
        check.record(level: 0.9, hits: 9, support: 10)    // holds exactly
        check.record(level: 0.9, hits: 7, support: 10)    // misses by 0.2
        check.record(level: 0.5, hits: 0, support: 0)     // nothing held out above it: not checked
        XCTAssertEqual(check.checked, 2)
        XCTAssertEqual(check.held, 1)
        XCTAssertEqual(check.meanShortfall ?? 0, 0.2, accuracy: 1e-12)
        XCTAssertEqual((check + check).holdRate, 0.5)
    }

    func testTablesBuiltOnOneHalfAreCheckedOnTheOther() {
        // Class 0 scores 10…49 for positives and −1…−40 for negatives: each half's table puts every level at its
        // lowest positive, and every held-out prediction above it is right: 45 levels × 2 halves hold.
        let labels = Array(repeating: 0, count: 40) + Array(repeating: 1, count: 40)
        let z: [Double] = (0..<40).flatMap { i -> [Double] in [10 + Double(i), 0] } + (0..<40).flatMap { i -> [Double] in [-1 - Double(i), 0] }
        let check = CrossFitting(labels: labels).checkTables(z, labels: labels, classes: 2, of: 0, options: CalibrationOptions())
        XCTAssertEqual(check.checked, 90)
        XCTAssertEqual(check.held, 90)
        XCTAssertNil(check.meanShortfall)
    }
}
