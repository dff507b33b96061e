import Engine
import Foundation
import MTMC
import Vision
import XCTest

final class ValidationDuringTrainingTests: XCTestCase {
    /// A validator that answers a scripted mean top-1 per epoch (both tasks alike) and counts its calls.
    private final class Script {
        var top1: [Double]
        var calls = 0
        init(_ top1: [Double]) { self.top1 = top1 }
        func validator(_: MultiTaskModel, _: Dataset, _: TrainingSettings, _: Normalization, _: () -> Bool) throws -> [TaskValidation] {
            defer { calls += 1 }
            return [TaskValidation(images: 6, loss: 1 - top1[calls], top1: top1[calls]),
                    TaskValidation(images: 9, loss: 1 - top1[calls], top1: top1[calls])]
        }
    }

    func testEveryEpochCarriesTheValImagesLossAndTop1AsEvalComputesThem() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer()
        let (records, stop) = try trainer.train(epochs: 2, on: dataset)
        XCTAssertNil(stop)
        XCTAssertTrue(records.allSatisfy { $0.validation?.count == 2 })
        let eval = try evaluate(trainer.model, on: dataset, phase: "val", settings: trainer.settings)
        XCTAssertEqual(records.last?.validation, eval.map { TaskValidation(images: $0.labels.count, loss: $0.loss, top1: $0.top1) })
        XCTAssertEqual(records.last?.validation?.map(\.images), [6, 9])
        XCTAssertEqual(trainer.history.last?.validation, records.last?.validation, "kept in the history")
        XCTAssertEqual(trainer.lastRun.bestPerTask.compactMap { $0?.epoch }.count, 2)
    }

    func testValidateEveryKChecksEveryKthEpochAndTheRunsLast() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let script = Script([0.5, 0.6, 0.7])
        let trainer = TrainingTests.trainer { $0.validateEvery = 2 }
        trainer.validator = script.validator
        let records = try trainer.train(epochs: 3, on: dataset).records
        XCTAssertEqual(records.map { $0.validation != nil }, [false, true, true])
        trainer.settings.validateEvery = 0
        XCTAssertEqual(try trainer.train(epochs: 1, on: dataset).records.map { $0.validation != nil }, [false])
        XCTAssertEqual(script.calls, 2)
    }

    func testCancellingDuringValidationKeepsTheEpochAndStops() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        var cancelled = false
        let trainer = TrainingTests.trainer()
        trainer.validator = { _, _, _, _, _ in cancelled = true; throw EngineError("evaluation cancelled") }
        let (records, stop) = try trainer.train(epochs: 3, on: dataset, isCancelled: { cancelled })
        XCTAssertEqual(stop, .cancelled)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0].partial, false)
        XCTAssertNil(records[0].validation)
        XCTAssertEqual(trainer.epochsCompleted, 1)
    }

    func testAValidationErrorThatIsNotACancelReachesTheCaller() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer()
        trainer.validator = { _, _, _, _, _ in throw EngineError("disk gone") }
        XCTAssertThrowsError(try trainer.train(epochs: 1, on: dataset)) { XCTAssertEqual("\($0)", "disk gone") }
    }

    func testTrackerFindsTheBestEpochOverallAndPerTaskAndCountsPatience() {
        var tracker = ValidationTracker(tasks: 2, patience: 3)
        func record(_ epoch: Int, _ a: Double, _ b: Double, loss: Double = 1) -> EpochRecord {
            EpochRecord(epoch: epoch, tasks: [], partial: false, steps: 1, plannedSteps: 1,
                        validation: [TaskValidation(images: 4, loss: loss, top1: a), TaskValidation(images: 4, loss: loss, top1: b)])
        }
        XCTAssertTrue(tracker.observe(record(0, 0.5, 0.5)))
        XCTAssertTrue(tracker.observe(record(1, 0.9, 0.6)))
        XCTAssertFalse(tracker.observe(EpochRecord(epoch: 2, tasks: [], partial: false, steps: 1, plannedSteps: 1)), "not validated")
        XCTAssertFalse(tracker.observe(record(3, 0.6, 0.9)), "same mean top-1, same loss: not better")
        XCTAssertFalse(tracker.shouldStop, "2 epochs after the best, patience 3")
        XCTAssertTrue(tracker.observe(record(4, 0.6, 0.9, loss: 0.5)), "same mean top-1, lower loss")
        XCTAssertEqual(tracker.best, .init(epoch: 4, top1: 0.75, loss: 0.5))
        XCTAssertEqual(tracker.bestPerTask.map { $0?.epoch }, [1, 4])
        XCTAssertFalse(tracker.observe(record(5, 0.1, 0.1)))
        XCTAssertFalse(tracker.observe(record(6, 0.2, 0.2)))
        XCTAssertFalse(tracker.shouldStop)
        XCTAssertFalse(tracker.observe(record(7, 0.7, 0.7)))
        XCTAssertTrue(tracker.shouldStop, "epoch 7 is 3 after the best (4)")
        XCTAssertFalse(ValidationTracker(tasks: 2, patience: 0).shouldStop)
    }

    func testKeepBestRestoresTheBestValidatedEpochsWeightsAndSaysWhich() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.keepBest = true }
        trainer.validator = Script([0.5, 0.9, 0.7, 0.6]).validator
        var snapshots: [[[Float]]] = []
        _ = try trainer.train(epochs: 4, on: dataset, epochEnded: { _ in snapshots.append(TrainingTests.fullModel(trainer)) })
        XCTAssertEqual(trainer.lastRun.restoredEpoch, 1)
        XCTAssertEqual(TrainingTests.fullModel(trainer), snapshots[1], "weights and running statistics of epoch 2")
        XCTAssertNotEqual(snapshots[1], snapshots[3])
        XCTAssertEqual(trainer.epochsCompleted, 4, "the epochs were trained; only the weights go back")
    }

    func testKeepBestLeavesTheWeightsWhenTheLastEpochIsTheBest() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.keepBest = true }
        trainer.validator = Script([0.5, 0.9]).validator
        var last: [[Float]] = []
        _ = try trainer.train(epochs: 2, on: dataset, epochEnded: { _ in last = TrainingTests.fullModel(trainer) })
        XCTAssertNil(trainer.lastRun.restoredEpoch)
        XCTAssertTrue(trainer.lastRun.bestWasLast)
        XCTAssertEqual(TrainingTests.fullModel(trainer), last)
    }

    func testPatienceStopsAfterKEpochsWithoutABetterValidation() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.patience = 2 }
        trainer.validator = Script([0.5, 0.9, 0.7, 0.6, 0.95, 0.99]).validator
        let (records, stop) = try trainer.train(epochs: 6, on: dataset)
        XCTAssertNil(stop)
        XCTAssertEqual(records.map(\.epoch), [0, 1, 2, 3])
        XCTAssertEqual(trainer.lastRun.stoppedAfter, 3)
        XCTAssertEqual(trainer.lastRun.best?.epoch, 1)
        XCTAssertEqual(trainer.epochsCompleted, 4)
    }

    func testPatienceWithKeepBestStopsThenRestores() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.patience = 1; $0.keepBest = true }
        trainer.validator = Script([0.8, 0.6, 0.9]).validator
        var snapshots: [[[Float]]] = []
        let records = try trainer.train(epochs: 3, on: dataset, epochEnded: { _ in snapshots.append(TrainingTests.fullModel(trainer)) }).records
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(trainer.lastRun.stoppedAfter, 1)
        XCTAssertEqual(trainer.lastRun.restoredEpoch, 0)
        XCTAssertEqual(TrainingTests.fullModel(trainer), snapshots[0])
    }
}
