import Foundation

/// Learning rate over training: a decay (constant, step, cosine) with an optional linear warm-up in front.
public struct LearningRateSchedule: Equatable {
    public enum Decay: Equatable {
        case constant
        /// Multiply by `gamma` every `every` epochs (the original MTMC recipe).
        case step(every: Int, gamma: Float)
        /// Half a cosine from the base rate down to `minimum` at `totalEpochs`.
        case cosine(totalEpochs: Int, minimum: Float)
    }

    public var base: Float
    public var decay: Decay
    /// Epochs over which the rate rises linearly from near 0 to `base`.
    public var warmupEpochs: Int

    public init(base: Float, decay: Decay = .constant, warmupEpochs: Int = 0) {
        self.base = base
        self.decay = decay
        self.warmupEpochs = warmupEpochs
    }

    /// The rate for step `step` (0-based) of `stepsPerEpoch` in epoch `epoch` (0-based).
    public func rate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        let position = Double(epoch) + Double(step + 1) / Double(max(1, stepsPerEpoch))
        if Double(warmupEpochs) > 0 && position <= Double(warmupEpochs) {
            return base * Float(position / Double(warmupEpochs))
        }
        switch decay {
        case .constant:
            return base
        case .step(let every, let gamma):
            return base * pow(gamma, Float(epoch / max(1, every)))
        case .cosine(let total, let minimum):
            let span = Double(max(1, total - warmupEpochs))
            let progress = min(1, max(0, (position - Double(warmupEpochs)) / span))
            return minimum + (base - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}
