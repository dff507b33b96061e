import Foundation

/// How unsure a model is of one image for one task, read from the image's class scores: the higher the
/// uncertainty, the more a label for the image is expected to teach the model.
public enum UncertaintyMeasure: String, CaseIterable {
    /// One minus the margin between the two highest confidences: calibrated ones when the task is calibrated,
    /// softmax otherwise. Small margins are images between two classes.
    case margin
    /// The entropy of the softmax, in nats. Calibrated confidences are per class, one class against the rest,
    /// and do not sum to one, so entropy always reads the softmax.
    case entropy

    /// The uncertainty of one image's `scores` (one per class of the task).
    public func uncertainty(_ scores: [ClassScore]) -> Double {
        switch self {
        case .margin: return 1 - Self.margin(scores)
        case .entropy: return scores.reduce(0) { $1.softmax > 0 ? $0 - $1.softmax * log($1.softmax) : $0 }
        }
    }

    /// The gap between the two highest confidences (calibrated when every score has one, softmax otherwise);
    /// 1 for a task of one class.
    public static func margin(_ scores: [ClassScore]) -> Double {
        let values = scores.map { $0.confidence ?? $0.softmax }.sorted(by: >)
        return values.count < 2 ? 1 : values[0] - values[1]
    }
}
