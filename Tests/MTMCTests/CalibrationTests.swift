import Engine
import Foundation
import MTMC
import XCTest

/// Index of a precision level (0.10, 0.12, …).
private func at(_ level: Double) -> Int { precisionLevels.firstIndex { abs($0 - level) < 1e-9 }! }

final class CalibrationTests: XCTestCase {
    func testPrecisionLevelsAreTheOriginals45() {
        XCTAssertEqual(precisionLevels.count, 45)
        XCTAssertEqual(precisionLevels.first, 0.10)
        XCTAssertEqual(precisionLevels.last!, 0.98, accuracy: 1e-12)
        XCTAssertEqual(precisionLevels[1], 0.12, accuracy: 1e-12)
    }

    func testWilsonLowerBoundByHand() {
        // (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with z = 1.96.
        XCTAssertEqual(wilsonLowerBound(hits: 10, of: 10), 0.7225, accuracy: 1e-4)
        XCTAssertEqual(wilsonLowerBound(hits: 16, of: 17), 0.7302, accuracy: 1e-4)
        XCTAssertEqual(wilsonLowerBound(hits: 0, of: 5), 0)
        XCTAssertEqual(wilsonLowerBound(hits: 0, of: 0), 0)
    }

    func testCurveCountsPrecisionAndBothEstimatesNeverRiseGoingDown() {
        // Scores high to low: +, +, −, +, −, −  → precision at each threshold: 1, 1, 2/3, 3/4, 3/5, 1/2.
        let scores: [Double] = [5, 4, 3, 2, 1, 0]
        let positive = [true, true, false, true, false, false]
        let isotonic = PrecisionCurve(scores: scores, isPositive: positive, fit: .isotonic)
        XCTAssertEqual(isotonic.points.map(\.threshold), [5, 4, 3, 2, 1, 0])
        XCTAssertEqual(isotonic.points.map(\.support), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(isotonic.points.map(\.precision), [1, 1, 2.0 / 3, 0.75, 0.6, 0.5])
        // Isotonic fit of 0,0,1,0,1,1 (low to high): the violator (1, 0) pools to 0.5.
        XCTAssertEqual(isotonic.points.map(\.estimate), [1, 1, 0.5, 0.5, 0, 0])
        // Interpolation: the best cumulative precision at or below each threshold.
        let interpolated = PrecisionCurve(scores: scores, isPositive: positive, fit: .interpolated)
        XCTAssertEqual(interpolated.points.map(\.estimate), [1, 1, 0.75, 0.75, 0.6, 0.5])
    }

    func testATopFalsePositiveDoesNotDestroyTheTable() {
        // 200 positives above 200 negatives, and one negative above them all: a running minimum from the top
        // would read precision 0 there and reach no level at all.
        var scores = (0..<200).map { 5 + Double($0) / 100 } + (0..<200).map { -Double($0) / 100 }
        var positive = Array(repeating: true, count: 200) + Array(repeating: false, count: 200)
        scores.append(100); positive.append(false)
        for fit in CalibrationOptions.Fit.allCases {
            let table = ClassCalibration(scores: scores, isPositive: positive, options: CalibrationOptions(fit: fit))
            XCTAssertEqual(table.reachedCount, 45, "\(fit)")
            XCTAssertEqual(table.confidence(100), 0.98, "\(fit)")   // the top output itself keeps the best level
        }
        // Isotonic: the top negative pools with the 200 positives (200/201); every level from the lowest positive.
        let table = ClassCalibration(scores: scores, isPositive: positive)
        XCTAssertEqual(table.levels[at(0.98)].threshold, 5)
        XCTAssertEqual(table.levels[at(0.98)].support, 201)
        XCTAssertEqual(table.levels[at(0.98)].precision, 200.0 / 201, accuracy: 1e-12)
        XCTAssertEqual(table.confidence(4.9), 0)   // the negatives below are all wrong
        // Interpolation is more generous: 200 of 204 predictions from −0.02 up are right, so 0.98 starts there.
        let interpolated = ClassCalibration(scores: scores, isPositive: positive, options: CalibrationOptions(fit: .interpolated))
        XCTAssertEqual(interpolated.levels[at(0.98)].threshold, -0.02)
    }

    /// 16 positives at the top but for one negative in fifth place, above 400 negatives.
    private func rareClass() -> (scores: [Double], positive: [Bool]) {
        let top: [Bool] = [true, true, true, true, false] + Array(repeating: true, count: 12)
        let scores = top.indices.map { 20 - Double($0) } + (0..<400).map { -Double($0) / 10 }
        return (scores, top + Array(repeating: false, count: 400))
    }

    func testARareClassGetsTheLevelsItsDataSupports() {
        let (scores, positive) = rareClass()
        // Isotonic: the negative pools with the 12 positives below it (12/13 = 0.923); only the top 4 (support 4,
        // fewer than calibmin 10) reach 1. So 0.10 … 0.92 from the lowest positive (support 17), 0.94 up too few samples.
        let table = ClassCalibration(scores: scores, isPositive: positive)
        XCTAssertEqual(table.positives, 16)
        XCTAssertEqual(table.reachedCount, 42)
        XCTAssertEqual(table.levels[at(0.92)].threshold, 4)
        XCTAssertEqual(table.levels[at(0.92)].support, 17)
        XCTAssertEqual(table.levels[at(0.92)].estimate, 12.0 / 13, accuracy: 1e-12)
        XCTAssertEqual(table.levels[at(0.94)].unreachable, .tooFewSamples)
        XCTAssertEqual(table.confidence(3.9), 0)
        XCTAssertEqual(table.confidence(4), 0.92, accuracy: 1e-12)
        // With calibmin 4 the top four count and every level is reached.
        XCTAssertEqual(ClassCalibration(scores: scores, isPositive: positive, options: CalibrationOptions(minimumSupport: 4)).reachedCount, 45)
        // Interpolation: 16/17 = 0.941 from the lowest positive; 0.96 and 0.98 need the top 4.
        let interpolated = ClassCalibration(scores: scores, isPositive: positive, options: CalibrationOptions(fit: .interpolated))
        XCTAssertEqual(interpolated.reachedCount, 43)
    }

    func testConservativeModeReadsLevelsFromTheWilsonBound() {
        let (scores, positive) = rareClass()
        // The bound is highest at the lowest positive: 16 of 17, lower bound 0.730 → best level 0.72.
        let table = ClassCalibration(scores: scores, isPositive: positive, options: CalibrationOptions(mode: .conservative))
        XCTAssertEqual(table.best?.level ?? 0, 0.72, accuracy: 1e-9)
        XCTAssertEqual(table.best?.lowerBound ?? 0, wilsonLowerBound(hits: 16, of: 17), accuracy: 1e-12)
        XCTAssertEqual(table.levels[at(0.74)].unreachable, .tooFewSamples)
    }

    func testUnreachableLevelsSayWhy() {
        // A positive and a negative tied at the top, a positive, a negative: isotonic pools the top three to 2/3.
        let table = ClassCalibration(scores: [3, 3, 2, 0], isPositive: [true, false, true, false], options: CalibrationOptions(minimumSupport: 1))
        XCTAssertEqual(table.thresholds.prefix(29).map { $0 }, Array(repeating: 2, count: 29))   // 0.10 … 0.66 from 2 up
        XCTAssertTrue(table.levels.dropFirst(29).allSatisfy { $0.threshold == nil && $0.unreachable == .precisionNeverReached })
        XCTAssertEqual(table.levels.last?.support, 0)
        XCTAssertEqual(table.confidence(2.5), 0.66, accuracy: 1e-12)
        XCTAssertEqual(table.confidence(1), 0)
    }

    func testConfidenceIsMonotoneAndDefinedEverywhereOverRandomTables() {
        var seeded = RandomGenerator(seed: 16)
        for trial in 0..<60 {
            let n = 20 + Int(seeded.next() % 300)
            let scores = (0..<n).map { _ in (Double(seeded.next() % 2000) / 100 - 10).rounded(.down) / (trial % 2 == 0 ? 1 : 3) }
            let positive = scores.map { s in Double(seeded.next() % 1000) / 1000 < 1 / (1 + exp(-s)) }
            let options = CalibrationOptions(fit: trial % 3 == 0 ? .interpolated : .isotonic, mode: trial % 4 == 0 ? .conservative : .estimate,
                                             minimumSupport: 1 + trial % 12)
            let table = ClassCalibration(scores: scores, isPositive: positive, options: options)
            // Thresholds never decrease with the level, and reached levels are a prefix.
            let reached = table.thresholds.compactMap { $0 }
            XCTAssertEqual(reached, reached.sorted())
            XCTAssertEqual(table.thresholds.prefix(reached.count).compactMap { $0 }.count, reached.count)
            let raws = (0..<200).map { _ in Double(seeded.next() % 40_000) / 1000 - 20 }.sorted()
            let confidences = raws.map(table.confidence)
            for (a, b) in zip(confidences, confidences.dropFirst()) { XCTAssertLessThanOrEqual(a, b, "trial \(trial)") }
            XCTAssertEqual(table.confidence(1e9), table.best?.level ?? 0)              // above the top: the best level
            if let lowest = reached.first { XCTAssertEqual(table.confidence(lowest.nextDown), 0) }   // below the lowest: 0
        }
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
    }

    func testExportHasTheOriginalsShapeWithNullForUnreachedLevels() throws {
        let logits = try Tensor(shape: [3, 2], values: [1, 0, 0, 1, 2, -1])
        let c = TaskCalibration(task: "人物", classes: ["是", "否"], logits: logits, labels: [0, 1, 0])
        let object = c.originalExport
        XCTAssertEqual(object["class_idx_dict"] as? [String: String], ["0": "是", "1": "否"])
        XCTAssertEqual((object["pvals"] as? [Double])?.count, 45)
        let row = (object["ptmat_dict"] as? [String: Any])?["是"] as? [Any]
        XCTAssertEqual(row?.count, 45)
        // Three samples are fewer than calibmin 10: nothing is reached, every entry is null.
        XCTAssertTrue(row?.allSatisfy { $0 is NSNull } ?? false)
    }
}
