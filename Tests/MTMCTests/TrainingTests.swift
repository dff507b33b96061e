import Engine
import Foundation
import MTMC
import XCTest

final class TrainingTests: XCTestCase {
    /// Two tasks whose classes differ in brightness: easy to learn in a few steps.
    static func easyDataset() throws -> (TreeBuilder, Dataset) {
        let tree = TreeBuilder()
        for (task, labels) in [("shade", ["dark", "light"]), ("tone", ["low", "mid", "high"])] {
            for (index, label) in labels.enumerated() {
                let shade = UInt8(30 + index * 180 / labels.count)
                tree.images(task, "train", label, count: 6, shade: shade)
                tree.images(task, "val", label, count: 3, shade: shade)
            }
        }
        return (tree, try Dataset.load(tree.root, cacheSize: Dataset.cacheSize(forInput: (16, 16))))
    }

    static func settings() -> TrainingSettings {
        var s = TrainingSettings()
        s.inputWidth = 16; s.inputHeight = 16; s.batchSize = 4; s.learningRate = 0.05
        return s
    }

    func testLossFallsWhileTraining() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        var s = Self.settings()
        s.learningRate = 0.01
        s.augment = .full; s.horizontalFlip = true  // these flat-shaded images need the affine's edges to learn from in 6 epochs
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s)
        let before = try evaluate(trainer.model, on: dataset, phase: "train", settings: s).map(\.loss)
        let (records, stop) = try trainer.train(epochs: 6, on: dataset)
        XCTAssertNil(stop)
        XCTAssertEqual(trainer.epochsCompleted, 6)
        XCTAssertTrue(records.allSatisfy { !$0.partial })
        let after = try evaluate(trainer.model, on: dataset, phase: "train", settings: s).map(\.loss)
        for task in 0..<2 { XCTAssertLessThan(after[task], before[task] * 0.5, "task \(task): \(before[task]) → \(after[task])") }
    }

    func testSameSeedGivesBitIdenticalWeightsOnOneThread() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        try Self.onOneThread {
            func weights(seed: UInt64) throws -> [[Float]] {
                var s = Self.settings()
                s.seed = seed
                s.mixupAlpha = 0.2
                let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: seed), settings: s)
                _ = try trainer.train(epochs: 2, on: dataset)
                return trainer.model.stateDict().map(\.tensor.scalars)
            }
            let a = try weights(seed: 5)
            XCTAssertEqual(a, try weights(seed: 5))
            XCTAssertNotEqual(a, try weights(seed: 6))
        }
    }

    func testCancellingMidEpochKeepsCountersConsistentAndMarksThePartialEpoch() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        var s = Self.settings()
        s.validateEvery = 0  // validation polls too; this test counts the training steps' polls
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s)
        var polls = 0
        // An epoch is 6 steps (12 + 12 balanced samples, batch 4); cancel at the 9th poll: after step 2 of epoch 2.
        let (records, stop) = try trainer.train(epochs: 3, on: dataset, isCancelled: { polls += 1; return polls > 8 })
        XCTAssertEqual(stop, .cancelled)
        XCTAssertEqual(records.map(\.plannedSteps), [6, 6])
        XCTAssertEqual(trainer.epochsCompleted, 1)
        XCTAssertEqual(records.map(\.partial), [false, true])
        XCTAssertEqual(records.last!.steps, 2)
        XCTAssertEqual(try trainer.train(epochs: 1, on: dataset).records.first?.epoch, 1)
    }

    /// Runs `body` with one thread, where training is bit-reproducible.
    static func onOneThread<T>(_ body: () throws -> T) rethrows -> T {
        try HostResources(threads: 1).run(body)
    }

    /// A tiny two-head trainer (2 and 3 classes, seed 1) on `settings()`, changed by `configure`.
    static func trainer(_ configure: (inout TrainingSettings) -> Void = { _ in }) -> Trainer {
        var s = settings()
        configure(&s)
        return Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s)
    }

    /// Every weight and running statistic (of every task), as numbers.
    static func fullModel(_ trainer: Trainer) -> [[Float]] {
        trainer.model.checkpointTensors().map(\.tensor.scalars)
    }

    /// Every weight, running statistic (of every task) and momentum buffer, as numbers.
    static func fullState(_ trainer: Trainer) -> [[Float]] {
        (trainer.model.checkpointTensors() + trainer.optimizer.state()).map(\.tensor.scalars)
    }

    func testAnUpdateThatOverflowsRestoresTheEpochsStartingWeights() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        var s = Self.settings()
        s.learningRate = 1e30  // the first update overflows the weights
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s)
        let before = Self.fullState(trainer)
        let (_, stop) = try trainer.train(epochs: 1, on: dataset)
        guard case .nonFinite(let message) = stop else { return XCTFail("expected a non-finite stop, got \(String(describing: stop))") }
        XCTAssertTrue(message.contains("restored the weights from the start of epoch 1"), message)
        XCTAssertEqual(Self.fullState(trainer), before)
        XCTAssertEqual(trainer.epochsCompleted, 0)
    }

    /// One task, 12 images, batch 12: every epoch is a single step, so the step that overflows is the epoch's last.
    func testAnOverflowOnTheEpochsLastStepIsRestoredToo() throws {
        let tree = TreeBuilder()
        for (index, label) in ["dark", "light"].enumerated() {
            tree.images("shade", "train", label, count: 6, shade: UInt8(30 + index * 150))
            tree.images("shade", "val", label, count: 2, shade: UInt8(30 + index * 150))
        }
        let dataset = try Dataset.load(tree.root, cacheSize: Dataset.cacheSize(forInput: (16, 16)))
        var s = Self.settings()
        s.batchSize = 12
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 1), settings: s)
        XCTAssertNil(try trainer.train(epochs: 1, on: dataset).stop)
        let afterFirstEpoch = Self.fullState(trainer)
        trainer.settings.learningRate = .infinity  // the update makes the weights infinite
        let (records, stop) = try trainer.train(epochs: 1, on: dataset)
        XCTAssertEqual(records.map(\.plannedSteps), [1])
        guard case .nonFinite(let message) = stop else { return XCTFail("expected a non-finite stop, got \(String(describing: stop))") }
        XCTAssertTrue(message.contains("restored the weights from the start of epoch 2"), message)
        XCTAssertEqual(Self.fullState(trainer), afterFirstEpoch)
        XCTAssertEqual(trainer.epochsCompleted, 1)
    }

    func testNonFiniteLossRestoresWeightsAndRunningStatistics() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1)
        // Finite weights whose logits overflow: the loss is not finite, though every weight is.
        for head in model.heads { head.classifier.weight.value = Tensor(shape: head.classifier.weight.shape, repeating: 3e38) }
        let trainer = Trainer(model: model, settings: Self.settings())
        let before = Self.fullState(trainer)
        let (_, stop) = try trainer.train(epochs: 1, on: dataset)
        guard case .nonFinite(let message) = stop else { return XCTFail("expected a non-finite stop, got \(String(describing: stop))") }
        XCTAssertTrue(message.contains("loss became"), message)
        XCTAssertTrue(message.contains("restored the weights from the start of epoch 1"), message)
        XCTAssertEqual(Self.fullState(trainer), before, "weights and running statistics as before the step")
        XCTAssertEqual(trainer.epochsCompleted, 0)
    }

    func testFrozenBackboneTrainsOnlyTheHeads() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1)
        model.setBackboneFrozen(true)
        let backboneBefore = model.backbone.stateDict().map(\.tensor.scalars)
        let headBefore = model.heads[0].stateDict().map(\.tensor.scalars)
        _ = try Trainer(model: model, settings: Self.settings()).train(epochs: 1, on: dataset)
        XCTAssertEqual(model.backbone.stateDict().map(\.tensor.scalars), backboneBefore, "weights and running statistics")
        XCTAssertNotEqual(model.heads[0].stateDict().map(\.tensor.scalars), headBefore)
    }

    func testAdaptiveBalanceRunsFromATrainEvaluation() throws {
        let (tree, dataset) = try Self.easyDataset()
        _ = tree
        var s = Self.settings()
        s.adaptiveEvery = 1
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: s)
        _ = try trainer.train(epochs: 1, on: dataset)
        guard case .adaptive(let precision) = trainer.balance.mode else { return XCTFail("balance is \(trainer.balance.mode)") }
        XCTAssertEqual(precision.map(\.count), [2, 3])
    }
}
