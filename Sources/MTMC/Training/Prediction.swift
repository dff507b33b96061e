import Engine
import Foundation
import Vision

/// One class of one task for one image: raw output (logit), softmax, and calibrated confidence when calibrated.
public struct ClassScore: Equatable {
    public let classIndex: Int
    public let name: String
    public let raw: Double
    public let softmax: Double
    public let confidence: Double?
}

/// Raw outputs of every task for decoded images, prepared exactly as evaluation prepares validation
/// images (resize to the cache size, then to the input size, normalise); one backbone pass for every task
/// with shared batch-norm statistics, one per task with per-task ones (`MultiTaskModel.outputs`).
/// Returns, per task, logits [images, classes].
public func predictLogits(_ model: MultiTaskModel, images: [RGBImage], inputSize: (width: Int, height: Int),
                          normalization: Normalization) throws -> [Tensor] {
    guard !images.isEmpty else { return [] }
    let batch = evaluationInput(images, inputSize: inputSize, normalization: normalization)
    model.setTraining(false)
    return try GradMode.withoutGradients {
        try model.outputs(Variable(batch)).map(\.value)
    }
}

/// Scores of every class of a task for one row of logits, highest raw output first.
public func classScores(logits row: [Float], classes: [String], calibration: TaskCalibration?) -> [ClassScore] {
    let z = row.map(Double.init)
    let top = z.max() ?? 0
    let sum = z.reduce(0) { $0 + exp($1 - top) }
    return z.indices.map { c in
        ClassScore(classIndex: c, name: classes[c], raw: z[c], softmax: exp(z[c] - top) / sum,
                   confidence: calibration.map { $0.tables[c].confidence(z[c]) })
    }.sorted { $0.raw != $1.raw ? $0.raw > $1.raw : $0.classIndex < $1.classIndex }
}
