import Engine
import Foundation
import MTMC
import XCTest

final class EvaluationTests: XCTestCase {
    /// Six hand-made predictions over classes A, B, C; C is never predicted.
    static let handMade: TaskEvaluation = {
        let logits = try! Tensor(shape: [6, 3], values: [
            5, 1, 0,   // A → A
            4, 3, 0,   // A → A
            1, 2, 0,   // A → B (A second)
            1, 6, 2,   // B → B
            0, 3, 4,   // B → C? no: argmax 2 is C
            2, 1, 0,   // C → A (C last: not in top 2)
        ])
        let labels = [0, 0, 0, 1, 1, 2]
        let m = TaskEvaluation.metrics(logits: logits, labels: labels)
        return TaskEvaluation(task: 0, taskName: "印花", classes: ["A", "B", "条纹"], phase: "val", loss: m.loss, top1: m.top1,
                              top2: m.top2, confusion: m.confusion, logits: logits, labels: labels)
    }()

    func testConfusionMatrixTopKRecallAndPrecisionOfHandMadePredictions() {
        let e = Self.handMade
        XCTAssertEqual(e.confusion, [[2, 1, 0], [0, 1, 1], [1, 0, 0]])
        XCTAssertEqual(e.top1, 3.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(e.top2, 5.0 / 6.0, accuracy: 1e-12)  // all but the last
        XCTAssertEqual(e.recall.map { $0! }, [2.0 / 3.0, 0.5, 0])
        XCTAssertEqual(e.precision[0]!, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.precision[1]!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(e.precision[2]!, 0)
        XCTAssertEqual(e.ratios[1], [0, 0.5, 0.5])
    }

    func testAClassNeverPredictedHasUndefinedPrecision() {
        let logits = try! Tensor(shape: [2, 2], values: [3, 0, 2, 1])
        let m = TaskEvaluation.metrics(logits: logits, labels: [0, 1])
        let e = TaskEvaluation(task: 0, taskName: "t", classes: ["x", "y"], phase: "val", loss: m.loss, top1: m.top1, top2: m.top2,
                               confusion: m.confusion, logits: logits, labels: [0, 1])
        XCTAssertNil(e.precision[1])
        XCTAssertTrue(EvaluationLog.text(e).contains("Precision@1:\nx\t0.5000\ny\tundefined\n"))
    }

    func testLossIsMeanCrossEntropy() {
        let logits = try! Tensor(shape: [1, 2], values: [0, 0])
        XCTAssertEqual(TaskEvaluation.metrics(logits: logits, labels: [1]).loss, log(2), accuracy: 1e-12)
    }

    func testLogFileHasTheOriginalsSectionsAndLayout() throws {
        let text = EvaluationLog.text(Self.handMade)
        XCTAssertEqual(text, """
            \u{FEFF}ConfusionMatrix:
            gt\\pred:\tA\tB\t条纹
            A\t2\t1\t0
            B\t0\t1\t1
            条纹\t1\t0\t0
            --------------------------------------
            ConfusionMatrix classify ratio:
            gt\\pred:\tA\tB\t条纹
            A\t0.667\t0.333\t0.000
            B\t0.000\t0.500\t0.500
            条纹\t1.000\t0.000\t0.000
            --------------------------------------
            Recall:
            A\t0.6667
            B\t0.5000
            条纹\t0.0000
            --------------------------------------
            Precision@1:
            A\t0.6667
            B\t0.5000
            条纹\t0.0000
            --------------------------------------

            """)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-logs-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let path = try EvaluationLog.write(Self.handMade, folder: folder, date: date)
        XCTAssertTrue(path.hasPrefix(folder + "/VAL_印花_ConfusionMatrix_2023-11-"), path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(text.utf8))
    }

    func testEvaluateKeepsRawOutputsPerTask() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1)
        let results = try evaluate(model, on: dataset, phase: "val", settings: TrainingTests.settings())
        XCTAssertEqual(results.map(\.logits.shape), [[6, 2], [9, 3]])
        XCTAssertEqual(results[1].labels, [0, 0, 0, 1, 1, 1, 2, 2, 2])
        XCTAssertEqual(results[0].confusion.flatMap { $0 }.reduce(0, +), 6)
    }
}
