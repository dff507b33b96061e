/// The values each training setting may take: `set` refuses values outside them, and opening a
/// checkpoint refuses saved settings outside them, from this one table, so that a tampered file cannot
/// bring in what a user could not type (a batch of a billion images, an input of 10⁶ pixels a side).
public enum SettingRanges {
    public static let learningRate: ClosedRange<Double> = 1e-6...10
    public static let momentum: ClosedRange<Double> = 0...0.999
    public static let weightDecay: ClosedRange<Double> = 0...1
    public static let batchSize = 2...4096
    public static let stepEvery = 1...100_000
    public static let stepGamma: ClosedRange<Double> = 0.001...1
    /// 0: each `train N` plans its schedule over its own N epochs.
    public static let epochs = 0...100_000
    public static let warmupEpochs = 0...1000
    public static let labelSmoothing: ClosedRange<Double> = 0...0.5
    public static let mixupAlpha: ClosedRange<Double> = 0...10
    public static let adaptiveEvery = 0...10_000
    public static let cutMixAlpha: ClosedRange<Double> = 0...10
    /// RandAugment operations per image (0 is off) and their magnitude.
    public static let randAugmentCount = 0...10
    public static let randAugmentMagnitude: ClosedRange<Double> = 0...10
    public static let validateEvery = 0...100_000
    public static let patience = 0...100_000
    public static let distillTemperature: ClosedRange<Double> = 0.1...100
    public static let distillWeight: ClosedRange<Double> = 0...1
    public static let emaDecay: ClosedRange<Double> = 0...0.99999
    public static let inputSide = 8...1024
    /// Hamming distance of near-duplicate difference hashes (of 64 bits).
    public static let nearDuplicateDistance = 0...32
    /// Folds of `check labels` on training images.
    public static let labelFolds = 2...20
    /// Epochs of each quick model of `check labels`.
    public static let foldEpochs = 1...1000
    /// Seeds are below 2^63 (they are written as JSON numbers, which readers keep exact up to there).
    public static let seedLimit: UInt64 = 1 << 63
    /// Epochs a checkpoint may say were trained (far beyond any run; keeps counters from overflowing).
    public static let epochsCompleted = 0...100_000_000

    /// Whether a stored Float lies in a range given in decimal (compared in Float, as `set` stores it).
    public static func contains(_ range: ClosedRange<Double>, _ value: Float) -> Bool {
        value.isFinite && value >= Float(range.lowerBound) && value <= Float(range.upperBound)
    }
}

extension TrainingSettings {
    /// The settings outside the ranges `set` allows, as "name value"; empty when every one is allowed.
    public var outOfRange: [String] {
        typealias R = SettingRanges
        let floats: [(String, Float, ClosedRange<Double>)] = [
            ("lr", learningRate, R.learningRate), ("momentum", momentum, R.momentum), ("wd", weightDecay, R.weightDecay),
            ("gamma", stepGamma, R.stepGamma), ("smoothing", labelSmoothing, R.labelSmoothing), ("mixup", mixupAlpha, R.mixupAlpha),
            ("cutmix", cutMixAlpha, R.cutMixAlpha), ("randaugment magnitude", randAugmentMagnitude, R.randAugmentMagnitude),
            ("distilltemp", distillTemperature, R.distillTemperature), ("distill", distillWeight, R.distillWeight),
            ("ema", emaDecay, R.emaDecay),
        ]
        let ints: [(String, Int, ClosedRange<Int>)] = [
            ("batch", batchSize, R.batchSize), ("step", stepEvery, R.stepEvery), ("epochs", epochs, R.epochs),
            ("warmup", warmupEpochs, R.warmupEpochs), ("adaptive", adaptiveEvery, R.adaptiveEvery),
            ("size width", inputWidth, R.inputSide), ("size height", inputHeight, R.inputSide),
            ("randaugment", randAugmentCount, R.randAugmentCount), ("validate", validateEvery, R.validateEvery),
            ("patience", patience, R.patience),
        ]
        return floats.filter { !R.contains($0.2, $0.1) }.map { "\($0.0) \($0.1)" }
            + ints.filter { !$0.2.contains($0.1) }.map { "\($0.0) \($0.1)" }
            + (seed < R.seedLimit ? [] : ["seed \(seed)"])
    }
}
