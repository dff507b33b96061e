import Engine
import Foundation
import MTMC
import XCTest

final class LearningRateFinderTests: XCTestCase {
    func testTheSweepPutsBackWeightsStatisticsAndMomentumBitForBit() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = TrainingTests.trainer { $0.validateEvery = 0 }
        _ = try trainer.train(epochs: 1, on: dataset)
        let before = TrainingTests.fullState(trainer), rate = trainer.settings.learningRate
        let sweep = try trainer.sweepLearningRate(on: dataset, from: 1e-4, to: 10, steps: 20)
        XCTAssertGreaterThan(sweep.rates.count, 5)
        XCTAssertEqual(sweep.rates[0], 1e-4, accuracy: 1e-10)
        XCTAssertEqual(sweep.rates[1] / sweep.rates[0], Float(pow(1e5, 1.0 / 19)), accuracy: 1e-4, "exponential steps")
        XCTAssertEqual(TrainingTests.fullState(trainer), before, "weights, every task's running statistics, momentum buffers")
        XCTAssertEqual(trainer.settings.learningRate, rate)
        XCTAssertEqual(trainer.epochsCompleted, 1)
        XCTAssertEqual(trainer.history.count, 1)
    }

    func testBeforeAnyTrainingThereIsNoMomentumAfterTheSweep() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1), settings: TrainingTests.settings())
        let before = TrainingTests.fullState(trainer)
        _ = try trainer.sweepLearningRate(on: dataset, task: 1, steps: 8)
        XCTAssertEqual(TrainingTests.fullState(trainer), before)
        XCTAssertTrue(trainer.optimizer.state().isEmpty, "no momentum buffer left behind")
    }

    func testTrainingAfterASweepIsTheTrainingWithoutOne() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        try TrainingTests.onOneThread {
            func weights(sweep: Bool) throws -> [[Float]] {
                let trainer = TrainingTests.trainer { $0.validateEvery = 0 }
                _ = try trainer.train(epochs: 1, on: dataset)
                if sweep { _ = try trainer.sweepLearningRate(on: dataset, steps: 10) }
                _ = try trainer.train(epochs: 1, on: dataset)
                return TrainingTests.fullState(trainer)
            }
            XCTAssertEqual(try weights(sweep: true), try weights(sweep: false))
        }
    }

    func testOnAFrozenBackboneTheSweepMovesOnlyTheHeadsAndPutsThemBack() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 1)
        model.setBackboneFrozen(true)
        let trainer = Trainer(model: model, settings: TrainingTests.settings())
        let before = TrainingTests.fullState(trainer)
        let sweep = try trainer.sweepLearningRate(on: dataset, task: 0, steps: 12)
        XCTAssertEqual(sweep.rates.count, 12)
        XCTAssertEqual(TrainingTests.fullState(trainer), before)
    }

    func testTheSmoothedLossTheStopAndTheSuggestionFollowTheirRules() {
        var sweep = LearningRateSweep()
        let losses = [2.0, 1.9, 1.7, 1.2, 0.8, 0.6, 0.7, 1.5, 3, 8, 30, 100, 400]
        var accepted = 0
        for (i, loss) in losses.enumerated() {
            guard sweep.add(rate: Float(pow(10, Double(i) - 6)), loss: loss) else { break }
            accepted += 1
        }
        XCTAssertEqual(sweep.smoothed[0], 2, accuracy: 1e-12, "bias correction: the first average is the first loss")
        XCTAssertEqual(sweep.smoothed[1], (0.98 * 0.02 * 2 + 0.02 * 1.9) / (1 - 0.98 * 0.98), accuracy: 1e-12)
        XCTAssertLessThan(accepted, losses.count, "stops once the smoothed loss passes 4× its minimum")
        XCTAssertGreaterThan(sweep.smoothed.last!, 4 * sweep.smoothed.min()!)
        let i = sweep.minimumIndex!
        XCTAssertEqual(i, 6, "the smoothed minimum lags the raw one (index 5) by a step")
        XCTAssertTrue(sweep.falls)
        XCTAssertEqual(sweep.suggestion, Float(String(format: "%.2g", sweep.rates[i] / 10)), "a falling loss: its minimum ÷ 10, two significant digits")
        let rise = try! XCTUnwrap(sweep.riseIndex)
        XCTAssertGreaterThan(sweep.smoothed[rise], 1.25 * sweep.smoothed[i])
        XCTAssertTrue(sweep.smoothed[(i + 1)..<rise].allSatisfy { $0 <= 1.25 * sweep.smoothed[i] }, "the first step past 1.25× the minimum")
        XCTAssertNotNil(sweep.steepest)
        XCTAssertLessThanOrEqual(sweep.steepest!, sweep.rates[i])
        var flat = LearningRateSweep()
        for i in 0..<3 { _ = flat.add(rate: Float(i + 1), loss: 1) }
        XCTAssertNil(flat.suggestion, "too few steps")
    }

    /// Two interleaved tasks whose losses differ 100× in scale, as on a trained two-task model: flat with
    /// batch noise up to lr 0.05, then rising. Each task's smoothing on its own finds where the rise starts.
    func testOnATrainedTwoTaskModelTheSuggestionIsWhereTheLossStartsToRise() {
        var rng = RandomGenerator(seed: 3)
        func noise() -> Double { Double(rng.next() % 1000) / 1000 - 0.5 }
        var sweep = LearningRateSweep()
        for i in 0..<100 {
            let rate = Float(1e-5 * pow(1e5, Double(i) / 99))
            let task = Int(rng.next() % 2)
            let shape = 1 + max(0, log10(Double(rate) / 0.05)) * 3  // flat, then ×4 per decade past 0.05
            let loss = (task == 0 ? 0.3 : 0.003) * shape * (1 + 0.3 * noise())
            guard sweep.add(rate: rate, loss: loss, task: task) else { break }
        }
        XCTAssertEqual(sweep.taskSmoothed.count, 2)
        XCTAssertFalse(sweep.falls, "flat until lr 0.05")
        // Each task against its own lowest: the flat part is near 1 whichever task the steps drew.
        let flat = sweep.rates.indices.filter { sweep.rates[$0] < 0.02 && $0 >= 10 }.map { sweep.smoothed[$0] }
        XCTAssertLessThan(flat.max()! / flat.min()!, 1.2, "\(flat)")
        let suggestion = try! XCTUnwrap(sweep.suggestion)
        // The rise starts at 0.05; the averages lag it by a few steps, so its tenth reads a little above 0.005.
        XCTAssertGreaterThanOrEqual(suggestion, 2e-3, "lr \(suggestion)")
        XCTAssertLessThanOrEqual(suggestion, 2.5e-2, "lr \(suggestion)")
        XCTAssertTrue(sweep.rule.hasPrefix("the loss is flat"), sweep.rule)
    }

    /// A trained task whose loss sits near zero has batches many times its lowest (one image it still gets
    /// wrong): those batches are not divergence, so the sweep runs on to where the loss really rises. Nor
    /// does an easy batch among the first few, whose average then rests on it alone, make a minimum.
    func testBatchNoiseOfATaskNearZeroLossDoesNotStopTheSweep() {
        var sweep = LearningRateSweep()
        for i in 0..<100 {
            let rate = Float(1e-5 * pow(1e5, Double(i) / 99)), task = i % 2
            let shape = 1 + max(0, log10(Double(rate) / 0.05)) * 3
            let spike = task == 1 && i % 6 == 3 ? 15.0 : 1.0  // every third batch of the trained task: 0.03 against 0.002
            let easy = i == 2 ? 0.5 : 1.0  // the other task's second batch
            guard sweep.add(rate: rate, loss: (task == 0 ? 0.2 * easy : 0.002 * spike) * shape, task: task) else { break }
        }
        XCTAssertFalse(sweep.falls, "flat until lr 0.05")
        XCTAssertGreaterThan(sweep.rates.count, 80, "stopped at lr \(sweep.rates.last!)")
        let suggestion = try! XCTUnwrap(sweep.suggestion)
        XCTAssertGreaterThanOrEqual(suggestion, 2e-3, "lr \(suggestion)")
        XCTAssertLessThanOrEqual(suggestion, 2.5e-2, "lr \(suggestion)")
    }

    /// A fresh model: the loss falls to a minimum near lr 0.1, then climbs; the suggestion is about a tenth of it.
    func testOnAFreshModelTheSuggestionIsAboutATenthOfTheMinimum() {
        var sweep = LearningRateSweep()
        for i in 0..<100 {
            let rate = Float(1e-5 * pow(1e5, Double(i) / 99)), x = log10(Double(rate)) + 1  // 0 at lr 0.1
            let shape = x < 0 ? 1 + 2 * min(1, -x / 3) : 1 + 4 * x  // from 3× its best, as an untrained net's loss
            guard sweep.add(rate: rate, loss: (i % 2 == 0 ? 2.0 : 0.02) * shape, task: i % 2) else { break }
        }
        XCTAssertTrue(sweep.falls)
        let suggestion = try! XCTUnwrap(sweep.suggestion)
        XCTAssertGreaterThanOrEqual(suggestion, 0.008, "lr \(suggestion)")
        XCTAssertLessThanOrEqual(suggestion, 0.03, "lr \(suggestion)")
    }
}
