import Engine
import MTMC
import XCTest

/// Evaluation without a graph (eval, predict) runs every backbone's convolutions with their batch norms
/// folded in, per task; it must give the logits of the layers run one by one (as with a graph recorded),
/// for every task's statistics, and again after training has changed weights and statistics.
final class FoldedEvaluationTests: XCTestCase {
    /// Largest |folded − unfolded| over the largest |unfolded|, per task.
    private func relativeDifferences(_ model: MultiTaskModel, _ x: Variable) throws -> [Float] {
        try (0..<model.taskCount).map { task in
            let folded = try GradMode.withoutGradients { try model(x, task: task) }.value.scalars
            // Parameters require gradients, so with a graph recorded every layer runs on its own.
            let unfolded = try model(x, task: task).value.scalars
            let scale = unfolded.map(abs).max() ?? 0
            XCTAssertGreaterThan(scale, 0)
            return (zip(folded, unfolded).map { abs($0 - $1) }.max() ?? .infinity) / scale
        }
    }

    /// One SGD step on `task`, so the weights (and in training mode that task's statistics) move; in
    /// evaluation mode the weights change in place with no mode switch in between.
    private func step(_ model: MultiTaskModel, _ x: Variable, task: Int, trainingMode: Bool = true,
                      learningRate: Float = 0.1) throws {
        let sgd = SGD(parameters: model.namedParameters())
        model.setTraining(trainingMode)
        let loss = try crossEntropy(try model(x, task: task), labels: (0..<x.shape[0]).map { $0 % 3 })
        try loss.backward()
        try sgd.step(SGDHyperparameters(learningRate: learningRate))
        model.setTraining(false)
    }

    func testFoldedLogitsEqualUnfoldedPerTaskBeforeAndAfterTraining() throws {
        var rng = RandomGenerator(seed: 5)
        for (architecture, size) in [(Architecture.tiny, 16), (.darknet, 16), (.resnet18(zeroGamma: false, resnetD: true), 32)] {
            let model = MultiTaskModel(architecture: architecture, classesPerTask: [3, 4], seed: 2)
            let x = Variable(Initializer.normal(shape: [4, 3, size, size], std: 1, rng: &rng))
            // Distinct statistics per task: a training pass on each.
            try step(model, x, task: 0)
            try step(model, Variable(Initializer.normal(shape: [4, 3, size, size], std: 2, rng: &rng)), task: 1)
            for (task, difference) in try relativeDifferences(model, x).enumerated() {
                XCTAssertLessThanOrEqual(difference, 1e-5, "\(architecture) task \(task)")
            }
            try step(model, x, task: 1)
            for (task, difference) in try relativeDifferences(model, x).enumerated() {
                XCTAssertLessThanOrEqual(difference, 1e-5, "\(architecture) task \(task) after a training step")
            }
            try step(model, x, task: 0, trainingMode: false, learningRate: 0.01)
            for (task, difference) in try relativeDifferences(model, x).enumerated() {
                XCTAssertLessThanOrEqual(difference, 1e-5, "\(architecture) task \(task) after a step in evaluation mode")
            }
        }
    }
}
