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
        let saved = Threads.count
        Threads.count = 1  // the same summation order in each run
        defer { Threads.count = saved }
        let plain = try trained { _ in }
        let again = try trained { _ in }
        XCTAssertEqual(weights(plain, "heads.0.classifier.weight"), weights(again, "heads.0.classifier.weight"), "runs are repeatable")
        let nesterov = try trained { $0.nesterov = true }
        XCTAssertTrue(nesterov.optimizer.nesterov)
        XCTAssertNotEqual(weights(nesterov, "heads.0.classifier.weight"), weights(plain, "heads.0.classifier.weight"))
        let exempt = try trained { $0.noBiasDecay = true }
        XCTAssertTrue(exempt.optimizer.exemptBiasAndNormFromDecay)
        XCTAssertNotEqual(weights(exempt, "heads.0.embed.bias"), weights(plain, "heads.0.embed.bias"), "biases no longer decay")
    }
}
