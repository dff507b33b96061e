import Engine
import Foundation
import MTMC
import XCTest

final class WeightAverageTests: XCTestCase {
    func testTheAverageFollowsTheFormulaWithItsWarmUp() throws {
        var average = WeightAverage([("w", try Tensor(shape: [2], values: [1, 2]))])
        XCTAssertEqual(average.effectiveDecay(0.999), 0.1, accuracy: 1e-7, "(1 + 0)/(10 + 0)")
        try average.update(with: [("w", try Tensor(shape: [2], values: [3, -2]))], decay: 0.999)
        XCTAssertEqual(average.tensors[0].tensor.scalars, [0.1 * 1 + 0.9 * 3, 0.1 * 2 + 0.9 * -2])
        XCTAssertEqual(average.updates, 1)
        XCTAssertEqual(average.effectiveDecay(0.999), 2.0 / 11, "(1 + 1)/(10 + 1)")
        XCTAssertEqual(WeightAverage([], updates: 100).effectiveDecay(0.5), 0.5, "the setting caps the warm-up")
        var late = WeightAverage([("w", try Tensor(shape: [1], values: [10]))], updates: 10_000)
        try late.update(with: [("w", try Tensor(shape: [1], values: [0]))], decay: 0.9)
        XCTAssertEqual(late.tensors[0].tensor.scalars[0], 9, accuracy: 1e-5)
        XCTAssertThrowsError(try late.update(with: [("v", try Tensor(shape: [1], values: [0]))], decay: 0.9)) {
            XCTAssertEqual("\($0)", "ema: tensor w changed shape or order")
        }
    }

    private func trainer(ema: Float) throws -> (TreeBuilder, Dataset, Trainer) {
        let (tree, dataset) = try TrainingTests.easyDataset()
        var s = TrainingTests.settings()
        s.emaDecay = ema
        return (tree, dataset, Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s))
    }

    func testATrainedRunEndsHoldingTheAverageAndTheNextRunGoesOnFromTheTrainingWeights() throws {
        try TrainingTests.onOneThread {
            let (tree, dataset, trainer) = try trainer(ema: 0.9)
            _ = tree
            var rawAtEnd: [[Float]] = []
            let records = try trainer.train(epochs: 2, on: dataset, epochEnded: { _ in rawAtEnd = TrainingTests.fullModel(trainer) }).records
            XCTAssertEqual(trainer.average?.updates, 12, "one update per step: 2 epochs of 6")
            XCTAssertEqual(TrainingTests.fullModel(trainer), trainer.average!.tensors.map(\.tensor.scalars), "the model holds the average")
            XCTAssertNotEqual(TrainingTests.fullModel(trainer), rawAtEnd)
            XCTAssertEqual(trainer.trainingWeights?.map(\.tensor.scalars), rawAtEnd)
            let eval = try evaluate(trainer.model, on: dataset, phase: "val", settings: trainer.settings)
            XCTAssertEqual(records.last?.validation?.map(\.loss), eval.map(\.loss), "validation judged the average")

            // Without ema, the same second run from the same raw weights: the raw weights must match.
            let (_, _, plain) = try self.trainer(ema: 0)
            _ = try plain.train(epochs: 2, on: dataset)
            XCTAssertEqual(TrainingTests.fullModel(plain), rawAtEnd, "the average does not touch training")
            _ = try plain.train(epochs: 1, on: dataset)
            var secondRaw: [[Float]] = []
            _ = try trainer.train(epochs: 1, on: dataset, epochEnded: { _ in secondRaw = TrainingTests.fullModel(trainer) })
            XCTAssertEqual(secondRaw, TrainingTests.fullModel(plain))
        }
    }

    func testACheckpointKeepsTheAverageTheTrainingWeightsAndTheUpdateCount() throws {
        let (tree, dataset, trainer) = try trainer(ema: 0.99)
        _ = try trainer.train(epochs: 1, on: dataset)
        let path = tree.root + "/ema.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: dataset.tasks.map { TaskClasses(name: $0.name, classes: $0.classes) }, calibration: nil, to: path)
        let opened = try Checkpoint.open(path).makeTrainer()
        XCTAssertEqual(TrainingTests.fullModel(opened), TrainingTests.fullModel(trainer))
        XCTAssertEqual(opened.trainingWeights?.map(\.tensor.scalars), trainer.trainingWeights?.map(\.tensor.scalars))
        XCTAssertEqual(opened.average?.updates, 6)
        XCTAssertEqual(opened.settings.emaDecay, 0.99)
        XCTAssertEqual(try SafeTensorsFile.read(from: path).tensors.keys.filter { $0.hasPrefix("training.") }.count,
                       trainer.trainingWeights?.count)
    }
}
