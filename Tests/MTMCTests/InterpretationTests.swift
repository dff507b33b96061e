import Foundation
import Engine
import MTMC
import XCTest

/// Reports read from an evaluation whose confusion matrix is known; expected values computed by hand
/// and checked against scikit-learn's classification_report (zero_division=0) and balanced_accuracy_score.
final class InterpretationTests: XCTestCase {
    /// Truth a: 5 → a, 1 → b; truth b: 2 → a, 3 → b, 1 → c; no image of c.
    static func evaluation() throws -> TaskEvaluation {
        let outcomes: [(truth: Int, predicted: Int, times: Int)] = [(0, 0, 5), (0, 1, 1), (1, 0, 2), (1, 1, 3), (1, 2, 1)]
        var logits: [Float] = [], labels: [Int] = []
        for o in outcomes {
            for _ in 0..<o.times {
                labels.append(o.truth)
                logits += (0..<3).map { $0 == o.predicted ? 5 : 0 }
            }
        }
        let z = try Tensor(shape: [labels.count, 3], values: logits)
        let m = TaskEvaluation.metrics(logits: z, labels: labels)
        return TaskEvaluation(task: 0, taskName: "t", classes: ["a", "b", "c"], phase: "val", loss: m.loss, top1: m.top1, top2: m.top2,
                              confusion: m.confusion, logits: z, labels: labels)
    }

    func testClassReportMatchesScikitLearn() throws {
        let r = ClassReport(try Self.evaluation())
        func close(_ a: Double?, _ b: Double?, _ what: String) {
            guard let a, let b else { return XCTAssertTrue(a == nil && b == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))") }
            XCTAssertEqual(a, b, accuracy: 1e-6, what)
        }
        let expected: [(Double?, Double?, Double?, Int)] = [(0.714286, 0.833333, 0.769231, 6), (0.75, 0.5, 0.6, 6), (0, nil, nil, 0)]
        for (row, e) in zip(r.rows, expected) {
            close(row.precision, e.0, "\(row.name) precision"); close(row.recall, e.1, "\(row.name) recall")
            close(row.f1, e.2, "\(row.name) F1"); XCTAssertEqual(row.support, e.3)
        }
        close(r.macro.precision, 0.488095, "macro precision"); close(r.macro.recall, 0.444444, "macro recall")
        close(r.macro.f1, 0.456410, "macro F1")
        close(r.weighted.precision, 0.732143, "weighted precision"); close(r.weighted.recall, 0.666667, "weighted recall")
        close(r.weighted.f1, 0.684615, "weighted F1")
        close(r.balancedAccuracy, 0.666667, "balanced accuracy")
        close(r.top1, 8.0 / 12, "top-1")
        XCTAssertTrue(r.tsv.contains("\nc\t0.0000\tundefined\tundefined\t0\n"), r.tsv)
        XCTAssertTrue(r.tsv.contains("\nmacro avg\t0.4881\t0.4444\t0.4564\t12\n"), r.tsv)
    }

    func testMostConfusedPairsByCountThenShareThenClassOrder() throws {
        let pairs = mostConfusedPairs(try Self.evaluation(), limit: 2)
        XCTAssertEqual(pairs.map { "\($0.truth)→\($0.predicted) \($0.count)" }, ["b→a 2", "a→b 1"])
        XCTAssertEqual(pairs[0].share, 2.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(mostConfusedPairs(try Self.evaluation(), limit: 10).count, 3)
    }

    func testWorstImagesAreTheHighestLossesInRowOrderOnTies() throws {
        let worst = worstImages(try Self.evaluation(), limit: 3)
        // Every wrong image has logit 5 on the wrong class and 0 on the true one: loss log(e⁵ + 2).
        XCTAssertEqual(worst.map(\.row), [5, 6, 7])
        XCTAssertEqual(worst.map(\.truth), [0, 1, 1])
        XCTAssertEqual(worst.map(\.predicted), [1, 0, 0])
        XCTAssertEqual(worst[0].loss, log(exp(5) + 2), accuracy: 1e-6)
        XCTAssertEqual(worst[0].truthSoftmax, 1 / (exp(5) + 2), accuracy: 1e-9)
        XCTAssertEqual(worst[0].predictedSoftmax, exp(5) / (exp(5) + 2), accuracy: 1e-9)
        XCTAssertNil(worst[0].confidence, "no calibration given")
        XCTAssertEqual(worstImages(try Self.evaluation(), limit: 20).last?.row, 10, "the last of the right answers, loss log(1 + 2e⁻⁵)")
    }
}
