import Foundation

/// One validation image the model gets most wrong: its place in the evaluation, its loss, the true and
/// the predicted class with their softmax values, and the calibrated confidence of the prediction.
public struct WorstImage: Equatable {
    /// Row of the evaluation (the task's samples in order).
    public let row: Int
    public let loss: Double
    public let truth: Int
    public let predicted: Int
    public let truthSoftmax: Double
    public let predictedSoftmax: Double
    /// nil when the task is not calibrated.
    public let confidence: Double?
}

/// The `limit` images of an evaluation with the highest cross-entropy loss, highest first (ties: earlier
/// row first), read from its stored outputs without running the model.
public func worstImages(_ e: TaskEvaluation, limit: Int, calibration: TaskCalibration? = nil) -> [WorstImage] {
    let k = e.classes.count, z = e.logits.scalars.map(Double.init)
    var all: [WorstImage] = []
    for (row, label) in e.labels.enumerated() {
        let logits = z[(row * k)..<((row + 1) * k)]
        let top = logits.max() ?? 0
        let sum = logits.reduce(0) { $0 + exp($1 - top) }
        // Ties go to the lower class index, as argmax does.
        let predicted = logits.indices.reduce(logits.startIndex) { logits[$1] > logits[$0] ? $1 : $0 } - row * k
        all.append(WorstImage(row: row, loss: top + log(sum) - z[row * k + label], truth: label, predicted: predicted,
                              truthSoftmax: exp(z[row * k + label] - top) / sum, predictedSoftmax: exp(z[row * k + predicted] - top) / sum,
                              confidence: calibration.map { $0.tables[predicted].confidence(z[row * k + predicted]) }))
    }
    all.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.row < $1.row }
    return Array(all.prefix(max(0, limit)))
}
