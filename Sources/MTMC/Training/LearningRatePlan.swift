import Engine
import Foundation

/// The learning rate of every step of one `train N` run. Cosine and one-cycle span the run itself, so a
/// short run decays fully, unless the user fixed a plan (`set epochs`) that reaches at least the run's
/// end: then they span epochs 1…`epochs` of the model's whole training, as a plan across several runs.
/// Step decay counts the model's epochs from its first, as the original.
public struct LearningRatePlan {
    public let settings: TrainingSettings
    /// Model epoch (0-based) at which the run starts, and its length.
    public let runStart: Int
    public let runLength: Int

    public init(settings: TrainingSettings, runStart: Int, runLength: Int) {
        self.settings = settings
        self.runStart = runStart
        self.runLength = max(1, runLength)
    }

    /// True when the rate spans the whole plan fixed by `set epochs` rather than this run.
    public var followsFixedPlan: Bool { settings.epochs > 0 && settings.epochs >= runStart + runLength }

    /// First epoch (0-based) and length of the span the decay runs over.
    private var span: (start: Int, length: Int) { followsFixedPlan ? (0, settings.epochs) : (runStart, runLength) }

    /// The rate of step `step` (0-based) of `stepsPerEpoch` in model epoch `epoch` (0-based).
    public func rate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        let base = settings.learningRate
        switch settings.schedule {
        case .step:
            return LearningRateSchedule(base: base, decay: .step(every: settings.stepEvery, gamma: settings.stepGamma),
                                        warmupEpochs: settings.warmupEpochs).rate(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
        case .cosine:
            return LearningRateSchedule(base: base, decay: .cosine(totalEpochs: span.length, minimum: 0), warmupEpochs: settings.warmupEpochs)
                .rate(epoch: epoch - span.start, step: step, stepsPerEpoch: stepsPerEpoch)
        case .onecycle:
            let position = (Double(epoch - span.start) + Double(step + 1) / Double(max(1, stepsPerEpoch))) / Double(span.length)
            return Self.oneCycle(base: base, position: min(1, max(0, position)))
        }
    }

    /// fastai's shape: from base/25 up to base over the first quarter (linearly), then half a cosine to 0.
    static func oneCycle(base: Float, position p: Double) -> Float {
        let rise = 0.25, start = Double(base) / 25
        if p < rise { return Float(start + (Double(base) - start) * p / rise) }
        return Float(Double(base) * 0.5 * (1 + cos(Double.pi * (p - rise) / (1 - rise))))
    }

    /// What `train` says before its first epoch, e.g. "lr 0.05, cosine over epochs 1–5 (this run)".
    public var summary: String {
        let lr = "lr \(settings.learningRate)"
        let warm = settings.warmupEpochs > 0 && settings.schedule != .onecycle ? ", \(settings.warmupEpochs) warm-up epochs" : ""
        switch settings.schedule {
        case .step:
            return "\(lr), ×\(settings.stepGamma) every \(settings.stepEvery) epochs\(warm)"
        case .cosine, .onecycle:
            let (start, length) = span
            let which = followsFixedPlan ? "the plan of set epochs \(settings.epochs)" : "this run"
            return "\(lr), \(settings.schedule == .cosine ? "cosine" : "one-cycle") over epochs \(start + 1)–\(start + length) (\(which))\(warm)"
        }
    }
}
