import Engine
import MTMC
import XCTest

/// Optimizer settings reach the optimizer through the trainer.
final class TrainerSettingsTests: XCTestCase {
    private func trained(_ change: (inout TrainingSettings) -> Void) throws -> Trainer {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        var settings = TrainingTests.settings()
        settings.weightDecay = 0.05
        change(&settings)
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 3), settings: settings)
        _ = try trainer.train(epochs: 1, on: dataset)
        return trainer
    }

    private func weights(_ trainer: Trainer, _ name: String) -> [Float] {
        trainer.model.stateDict().first { $0.name == name }!.tensor.scalars
    }

    func testNesterovAndNoBiasDecayChangeTheUpdates() throws {
        try TrainingTests.onOneThread {
            let plain = try trained { _ in }
            let again = try trained { _ in }
            XCTAssertEqual(weights(plain, "heads.0.classifier.weight"), weights(again, "heads.0.classifier.weight"), "runs are repeatable")
            let nesterov = try trained { $0.nesterov = true }
            XCTAssertTrue(nesterov.settings.sgdHyperparameters(rate: 0.05).nesterov)
            XCTAssertNotEqual(weights(nesterov, "heads.0.classifier.weight"), weights(plain, "heads.0.classifier.weight"))
            let exempt = try trained { $0.noBiasDecay = true }
            XCTAssertTrue(exempt.settings.sgdHyperparameters(rate: 0.05).exemptBiasAndNormFromDecay)
            XCTAssertNotEqual(weights(exempt, "heads.0.embed.bias"), weights(plain, "heads.0.embed.bias"), "biases no longer decay")
        }
    }

    /// The trainer reads its settings where their owner keeps them (a session binds it to its own): a rate
    /// changed there is the one the optimizer steps with next, with nothing copied into the trainer.
    func testTheOptimizerStepsWithTheOwnersCurrentLearningRate() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        var owned = TrainingTests.settings(), quotas = Balance()
        owned.validateEvery = 0
        owned.schedule = .step  // the base rate all through a short run
        owned.learningRate = 0
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 3), settings: TrainingTests.settings())
        trainer.source = SettingsSource(settings: { owned }, setSettings: { owned = $0 }, balance: { quotas }, setBalance: { quotas = $0 })
        let weights = { trainer.optimizer.parameters.filter(\.variable.requiresGrad).map(\.variable.value.scalars) }
        let before = weights()
        let still = try trainer.train(epochs: 1, on: dataset).records
        XCTAssertEqual(still.map(\.learningRate), [0])
        XCTAssertEqual(weights(), before, "at rate 0 no weight moves")
        owned.learningRate = 0.02
        let moved = try trainer.train(epochs: 1, on: dataset).records
        XCTAssertEqual(moved.map(\.learningRate), [0.02])
        XCTAssertNotEqual(weights(), before, "the owner's new rate reached the optimizer")
    }
}
