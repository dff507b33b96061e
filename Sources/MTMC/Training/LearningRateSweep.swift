import Foundation

/// The result of `lr find`: the loss of each step of an exponential learning-rate sweep, smoothed, and a
/// suggested rate read from it.
public struct LearningRateSweep: Equatable {
    public var rates: [Float] = []
    /// The raw loss of each step.
    public var losses: [Double] = []
    /// Bias-corrected exponential average of the losses (β 0.98, as fastai): one noisy batch does not move it.
    public var smoothed: [Double] = []
    /// Why the sweep ended before its last rate, if it did.
    public var stoppedEarly: String?

    public init() {}

    static let beta = 0.98

    /// Adds one step; returns false when the smoothed loss has passed 4× its minimum (it is diverging).
    public mutating func add(rate: Float, loss: Double) -> Bool {
        rates.append(rate)
        losses.append(loss)
        let n = Double(losses.count)
        let average = losses.reduce(0) { $0 * Self.beta + (1 - Self.beta) * $1 }
        smoothed.append(average / (1 - pow(Self.beta, n)))
        return smoothed.count < 5 || smoothed.last! <= 4 * smoothed.min()!
    }

    /// The index of the smoothed loss's minimum.
    public var minimumIndex: Int? { smoothed.indices.min { smoothed[$0] < smoothed[$1] } }

    /// The rate where the smoothed loss falls fastest against log rate, before its minimum, past the first
    /// tenth of the sweep (where the average still leans on its first few batches); nil when it never falls.
    public var steepest: Float? {
        let start = max(1, smoothed.count / 10)
        guard let end = minimumIndex, end > start else { return nil }
        let slopes = (start...end).map { (index: $0, slope: smoothed[$0] - smoothed[$0 - 1]) }
        guard let best = slopes.min(by: { $0.slope < $1.slope }), best.slope < 0 else { return nil }
        return rates[best.index]
    }

    /// The suggestion: the rate at the smoothed loss's minimum ÷ 10 (Smith; fastai's lr_min), a rate still
    /// well inside the region where the loss falls, to two significant digits (what a user would type);
    /// nil when the sweep has too few steps to tell.
    public var suggestion: Float? {
        guard smoothed.count >= 5, let index = minimumIndex, index > 0 else { return nil }
        return Float(String(format: "%.2g", rates[index] / 10))
    }

    public static let rule = "the rate at the smoothed loss's minimum ÷ 10"
}
