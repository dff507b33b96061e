import Foundation
import MTMC
import Vision
import XCTest

final class LearningRatePlanTests: XCTestCase {
    private func settings(_ schedule: TrainingSettings.Schedule, epochs: Int = 0) -> TrainingSettings {
        var s = TrainingSettings()
        s.learningRate = 0.1
        s.schedule = schedule
        s.epochs = epochs
        return s
    }

    /// Rate at the last step of each epoch of the run, 10 steps per epoch.
    private func endOfEpochRates(_ plan: LearningRatePlan) -> [Float] {
        (plan.runStart..<(plan.runStart + plan.runLength)).map { plan.rate(epoch: $0, step: 9, stepsPerEpoch: 10) }
    }

    func testCosineSpansTheRunItWasAskedForWhereverTheModelStands() {
        for start in [0, 7] {
            let plan = LearningRatePlan(settings: settings(.cosine), runStart: start, runLength: 4)
            XCTAssertEqual(plan.rate(epoch: start, step: 0, stepsPerEpoch: 10), 0.1 * Float(0.5 * (1 + cos(Double.pi * 0.025))), accuracy: 1e-7)
            XCTAssertEqual(endOfEpochRates(plan), [0.1 * 0.5 * (1 + Float(cos(Double.pi / 4))), 0.05, 0.1 * 0.5 * (1 - Float(cos(Double.pi / 4))), 0],
                           accuracy: 1e-6)
            XCTAssertEqual(plan.summary, "lr 0.1, cosine over epochs \(start + 1)–\(start + 4) (this run)")
        }
    }

    func testAFixedPlanThatReachesTheRunsEndSpansTheWholeTraining() {
        let plan = LearningRatePlan(settings: settings(.cosine, epochs: 20), runStart: 5, runLength: 5)
        XCTAssertTrue(plan.followsFixedPlan)
        XCTAssertEqual(plan.rate(epoch: 9, step: 9, stepsPerEpoch: 10), 0.05, accuracy: 1e-6, "half-way through 20 epochs")
        XCTAssertEqual(plan.summary, "lr 0.1, cosine over epochs 1–20 (the plan of set epochs 20)")
        let short = LearningRatePlan(settings: settings(.cosine, epochs: 8), runStart: 5, runLength: 5)
        XCTAssertFalse(short.followsFixedPlan, "a plan that ends before the run would leave it at 0")
        XCTAssertEqual(short.rate(epoch: 9, step: 9, stepsPerEpoch: 10), 0, accuracy: 1e-7)
    }

    func testOneCycleRisesOverTheFirstQuarterThenFallsToZero() {
        let plan = LearningRatePlan(settings: settings(.onecycle), runStart: 2, runLength: 4)
        XCTAssertEqual(plan.rate(epoch: 2, step: 0, stepsPerEpoch: 10), 0.004 + 0.096 * 0.1, accuracy: 1e-6)
        XCTAssertEqual(plan.rate(epoch: 2, step: 9, stepsPerEpoch: 10), 0.1, accuracy: 1e-6, "peak at a quarter of the run")
        XCTAssertEqual(endOfEpochRates(plan).last!, 0, accuracy: 1e-7)
        XCTAssertEqual(plan.rate(epoch: 3, step: 9, stepsPerEpoch: 10), 0.1 * Float(0.5 * (1 + cos(Double.pi / 3))), accuracy: 1e-6)
        XCTAssertEqual(plan.summary, "lr 0.1, one-cycle over epochs 3–6 (this run)")
    }

    func testStepDecayCountsTheModelsEpochsAsTheOriginal() {
        var s = settings(.step)
        s.stepEvery = 3
        let plan = LearningRatePlan(settings: s, runStart: 2, runLength: 3)
        XCTAssertEqual(endOfEpochRates(plan), [0.1, 0.01, 0.01], accuracy: 1e-7)
        XCTAssertEqual(plan.summary, "lr 0.1, ×0.1 every 3 epochs")
    }

    func testWarmUpComesBeforeTheRunsCosine() {
        var s = settings(.cosine)
        s.warmupEpochs = 1
        let plan = LearningRatePlan(settings: s, runStart: 4, runLength: 3)
        XCTAssertEqual(plan.rate(epoch: 4, step: 4, stepsPerEpoch: 10), 0.05, accuracy: 1e-7)
        XCTAssertEqual(endOfEpochRates(plan), [0.1, 0.05, 0], accuracy: 1e-6)
        XCTAssertEqual(plan.summary, "lr 0.1, cosine over epochs 5–7 (this run), 1 warm-up epochs")
    }

    func testTheTrainerFollowsThePlanOfEachCall() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.validateEvery = 0 }
        XCTAssertEqual(try trainer.train(epochs: 2, on: dataset).records.map { $0.learningRate! }, [0.025, 0], accuracy: 1e-6)
        XCTAssertEqual(try trainer.train(epochs: 1, on: dataset).records.map { $0.learningRate! }, [0], accuracy: 1e-7)
    }

    func testOldCheckpointSettingsKeepTheirValuesAndReadTheAugmentSwitch() throws {
        let json = #"{"learningRate":0.01,"batchSize":32,"schedule":"step","epochs":30,"augment":true,"horizontalFlip":true,"seed":4}"#
        let s = try JSONDecoder().decode(TrainingSettings.self, from: Data(json.utf8))
        XCTAssertEqual(s.learningRate, 0.01)
        XCTAssertEqual(s.schedule, .step)
        XCTAssertEqual(s.augment, .full)
        XCTAssertEqual(s.seed, 4)
        XCTAssertEqual(s.validateEvery, 1, "absent: today's default")
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: JSONEncoder().encode(s)), s)
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: Data(#"{"augment":false}"#.utf8)).augment, .off)
        XCTAssertThrowsError(try JSONDecoder().decode(TrainingSettings.self, from: Data(#"{"augment":"lots"}"#.utf8)))
    }

    func testResizedCropReplacesTheAffineOnlyWhenAugmenting() {
        var s = TrainingSettings()
        s.crop = .resized
        XCTAssertNil(s.augmentation(runEpochs: 5).resizedCropArea, "auto is off for 5 epochs")
        XCTAssertEqual(s.augmentation(runEpochs: 20).resizedCropArea, 0.5...1)
        XCTAssertEqual(s.augmentation(runEpochs: 50).resizedCropArea, 0.25...1)
        s.crop = .affine
        XCTAssertNil(s.augmentation(runEpochs: 50).resizedCropArea)
    }

    func testAutoAugmentationGrowsWithTheRun() {
        XCTAssertEqual([1, 9, 10, 30, 31].map { TrainingSettings.AugmentStrength.auto.resolved(runEpochs: $0) }, [.off, .off, .light, .light, .full])
        XCTAssertEqual(TrainingSettings.AugmentStrength.light.resolved(runEpochs: 1), .light)
        var s = TrainingSettings()
        XCTAssertFalse(s.augmentation(runEpochs: 50).horizontalFlip, "flips are off by default: they turn characters into others")
        s.horizontalFlip = true
        XCTAssertEqual(s.augmentation(runEpochs: 5), { var a = AugmentationSettings.none; a.horizontalFlip = true; return a }())
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b) \(message)", file: file, line: line) }
}
