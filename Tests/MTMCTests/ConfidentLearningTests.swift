import MTMC
import Vision
import XCTest

final class ConfidentLearningTests: XCTestCase {
    func testASuspectIsAnImageWhoseMostProbableConfidentClassIsAnother() {
        // Three classes. Thresholds (mean self-confidence): class 0 (0.9 + 0.7 + 0.2 + 0.4) / 4 = 0.55, class 1 (0.8 + 0.6 + 0.3) / 3 = 0.567,
        // class 2 0.5 (one image).
        let p: [Double] = [
            0.9, 0.1, 0.0,   // 0: fine
            0.7, 0.2, 0.1,   // 0: fine
            0.2, 0.75, 0.05, // 0: p(1) 0.75 ≥ 0.567: suspect, suggested 1, margin 0.55
            0.1, 0.8, 0.1,   // 1: fine
            0.3, 0.6, 0.1,   // 1: p(1) 0.6 ≥ 0.567 and p(0) 0.3 < 0.55: fine
            0.45, 0.05, 0.5, // 2: p(2) 0.5 reaches its own threshold and is the largest confident: fine
            0.65, 0.3, 0.05, // 1: p(0) 0.65 ≥ 0.55, p(1) 0.3 < 0.567: suspect, suggested 0, margin 0.35
            0.4, 0.55, 0.05, // 0: predicted 1, but 0.55 < 0.567, not confidently: fine (an argmax rule would flag it)
        ]
        let labels = [0, 0, 0, 1, 1, 2, 1, 0]
        let cl = ConfidentLearning(probabilities: p, labels: labels, classes: 3)
        XCTAssertEqual(cl.thresholds.map { $0.map { ($0 * 1000).rounded() / 1000 } }, [0.55, 0.567, 0.5])
        XCTAssertEqual(cl.suspects.map(\.row), [2, 6])
        XCTAssertEqual(cl.suspects.map(\.suggested), [1, 0])
        XCTAssertEqual(cl.suspects[0].margin, 0.55, accuracy: 1e-12)
    }

    func testAClassWithoutImagesIsNeverSuggested() {
        let cl = ConfidentLearning(probabilities: [0.4, 0.6, 0.9, 0.1], labels: [0, 0], classes: 2)
        XCTAssertEqual(cl.thresholds, [0.65, nil])
        XCTAssertEqual(cl.suspects, [])
    }

    func testFoldsSplitEveryClassEvenlyAndCoverEveryImageOnce() {
        let samples = (0..<10).map { Sample(image: $0, label: $0 < 7 ? 0 : 1) }
        let folds = stratifiedFolds(samples, folds: 3, seed: 1)
        XCTAssertEqual((0..<3).map { f in samples.indices.filter { folds[$0] == f && samples[$0].label == 0 }.count }, [3, 2, 2])
        XCTAssertEqual((0..<3).map { f in samples.indices.filter { folds[$0] == f && samples[$0].label == 1 }.count }, [1, 1, 1])
        XCTAssertEqual(folds, stratifiedFolds(samples, folds: 3, seed: 1))
        XCTAssertNotEqual(folds, stratifiedFolds(samples, folds: 3, seed: 2))
    }
}

final class FoldDatasetTests: XCTestCase {
    func testEachFoldHoldsOutItsImagesFromTrainingAndTheFoldsCoverTheTrainingSetOnce() throws {
        let tree = TreeBuilder("folds").task("形状", classes: ["圆": 5, "方": 4], val: 2)
        let dataset = try Dataset.load(tree.root, cacheSize: (8, 8))
        let folds = dataset.tasks.map { stratifiedFolds($0.train, folds: 3, seed: 1) }
        var heldOut: [Sample] = []
        for f in 0..<3 {
            let part = dataset.fold(f, of: folds).tasks[0]
            XCTAssertTrue(Set(part.train.map(\.image)).isDisjoint(with: part.val.map(\.image)), "fold \(f) trains on none it judges")
            XCTAssertEqual(part.train.count + part.val.count, 9)
            XCTAssertEqual(part.trainCounts.map(\.used), [0, 1].map { c in part.train.filter { $0.label == c }.count })
            heldOut += part.val
        }
        XCTAssertEqual(heldOut.map(\.image).sorted(), dataset.tasks[0].train.map(\.image).sorted())
        XCTAssertTrue(Set(heldOut.map(\.image)).isDisjoint(with: dataset.tasks[0].val.map(\.image)), "real val images take no part")
    }

    /// Two classes of one training image each land in fold 1: quick model 1 would learn from none of them.
    func testQuickModelsWithFewerThanTwoImagesToLearnFromAreRefusedNamingTheTask() throws {
        let tree = TreeBuilder("few").task("形状", classes: ["圆": 1, "方": 1], val: 1).task("色", classes: ["红": 3, "蓝": 3], val: 1)
        let dataset = try Dataset.load(tree.root, cacheSize: (8, 8))
        let expected = "quick model 1 of 2 would learn from 0 of the 2 training images (it needs 2); add training images"
        XCTAssertEqual(outOfSampleObstacle(dataset.tasks[0], folds: 2, seed: 1), expected)
        XCTAssertNil(outOfSampleObstacle(dataset.tasks[1], folds: 2, seed: 1))
        XCTAssertNil(outOfSampleObstacle(dataset.tasks[1], folds: 3, seed: 1))
        XCTAssertEqual(outOfSampleObstacle(dataset.tasks[0], folds: 3, seed: 1),
                       "quick model 1 of 3 would learn from 0 of the 2 training images (it needs 2); add training images or set folds lower")
        let plan = FoldTraining(architecture: .tiny, settings: TrainingTests.settings(), balance: Balance(), sharedStatistics: false,
                                normalization: .imageNet, folds: 2, epochs: 1)
        XCTAssertThrowsError(try outOfSampleOutputs(dataset, plan)) { XCTAssertEqual("\($0)", "task 形状: " + expected) }
    }
}
