import Foundation
import Vision

/// Everything that shapes training. SGD momentum 0.9 and weight decay 1e-4 as DESIGN.md §2; the rest are
/// defaults that hold in a short run with no `set` at all: lr 0.05 at batch 64, a cosine
/// planned over each `train N`, no flips (they turn characters into other shapes), augmentation by run length.
public struct TrainingSettings: Codable, Equatable {
    public enum Schedule: String, Codable, CaseIterable {
        /// ×gamma every `stepEvery` epochs (the original: ×0.1 every 40).
        case step
        /// Half a cosine over the run (or over `epochs` when the user fixed a longer plan), after `warmupEpochs`.
        case cosine
        /// One cycle: linear rise from lr/25 over the first quarter of the run, then half a cosine to 0.
        case onecycle
    }

    public enum Crop: String, Codable, CaseIterable {
        case affine
        /// A random resized crop of 25–100 % of the area (light: 50–100 %).
        case resized
    }

    /// How strongly training images are augmented. `auto` picks by the run's planned length.
    public enum AugmentStrength: String, Codable, CaseIterable {
        case auto, off, light, full
    }

    public var learningRate: Float = 0.05
    /// `set lr auto`: each `train` first runs `lr find` and trains at its suggestion.
    public var autoLearningRate = false
    public var momentum: Float = 0.9
    public var nesterov = false
    public var weightDecay: Float = 1e-4
    /// Bag of Tricks: no weight decay on biases and batch-norm parameters.
    public var noBiasDecay = false
    public var batchSize = 64
    public var schedule: Schedule = .cosine
    public var stepEvery = 40
    public var stepGamma: Float = 0.1
    /// A fixed planned length of training for cosine and one-cycle; 0 plans each `train N` over its N epochs.
    public var epochs = 0
    public var warmupEpochs = 0
    public var labelSmoothing: Float = 0
    /// Mixup's Beta(α, α) parameter; 0 turns mixup off.
    public var mixupAlpha: Float = 0
    /// CutMix's Beta(α, α) parameter; 0 turns CutMix off (with mixup on too, each batch takes one of them).
    public var cutMixAlpha: Float = 0
    /// Distillation from `set teacher`: the softening temperature and the soft term's weight.
    public var distillTemperature: Float = 4
    public var distillWeight: Float = 0.5
    /// Run adaptive balance from a train-set evaluation every this many epochs (0: never; the original used 20).
    public var adaptiveEvery = 0
    public var inputWidth = 64
    public var inputHeight = 64
    public var horizontalFlip = false
    public var augment: AugmentStrength = .auto
    /// The geometric part of augmentation: the original's affine, or a random resized crop.
    public var crop: Crop = .affine
    /// RandAugment: operations per image (0 is off) and magnitude of 10.
    public var randAugmentCount = 0
    public var randAugmentMagnitude: Float = 9
    public var seed: UInt64 = 1
    /// How each epoch orders its samples: a full shuffle, or chunk by chunk of the cache (sequential disk reads).
    public var order: EpochOrder = .shuffle
    /// Validate on the val images every this many epochs (and after a run's last epoch); 0 never.
    public var validateEvery = 1
    /// At the end of `train`, restore the weights of the best validated epoch of the run.
    public var keepBest = false
    /// Stop a run after this many epochs without a better validation; 0 never.
    public var patience = 0
    /// Decay of the exponential moving average of the weights that validation, eval and predict use; 0 is off.
    public var emaDecay: Float = 0
    /// In a data-parallel job (mpirun), batch-norm statistics over the whole global batch rather than each rank's
    /// slice, so that N ranks train the same model as one process would.
    public var syncBatchNorm = true
    /// With shared batch-norm statistics, every training batch holds a share of every task's images (each image's
    /// loss on its own task's head), so the statistics describe one mixture in training and evaluation alike.
    public var mixTasks = true

    public init() {}

    /// The training augmentation for a run of `runEpochs` epochs.
    public func augmentation(runEpochs: Int) -> AugmentationSettings {
        var a: AugmentationSettings
        switch augment.resolved(runEpochs: runEpochs) {
        case .off, .auto: a = .none
        case .light: a = .light
        case .full: a = AugmentationSettings()
        }
        a.horizontalFlip = horizontalFlip
        if randAugmentCount > 0 { a.randAugment = RandAugment(count: randAugmentCount, magnitude: randAugmentMagnitude) }
        if crop == .resized, augment.resolved(runEpochs: runEpochs) != .off {
            a.resizedCropArea = augment.resolved(runEpochs: runEpochs) == .light ? 0.5...1 : 0.25...1
        }
        return a
    }
}

extension TrainingSettings.AugmentStrength {
    /// `auto` as a strength: off for runs under 10 epochs, light up to 30, full beyond. Augmentation is a
    /// regulariser: in a short run the model is far from overfitting and distorted views only slow it.
    public func resolved(runEpochs: Int) -> Self {
        guard self == .auto else { return self }
        return runEpochs < 10 ? .off : runEpochs <= 30 ? .light : .full
    }
}

extension AugmentationSettings {
    /// Half the original's geometry and a third of its colour jitter.
    public static var light: AugmentationSettings {
        var s = AugmentationSettings()
        s.rotationDegrees = 7; s.translation = 0.05; s.scaleRange = 0.95...1.05
        s.brightness = 0.02; s.contrast = 0.02; s.saturation = 0.02; s.hue = 0.02
        return s
    }
}

/// Checkpoints store the settings as JSON. Keys a checkpoint lacks (written before they existed) keep
/// the defaults, and `augment` written as a switch (true/false) reads as full or off.
extension TrainingSettings {
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<TrainingSettings, T>) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { self[keyPath: path] = v }
        }
        try read(.learningRate, \.learningRate); try read(.momentum, \.momentum); try read(.nesterov, \.nesterov)
        try read(.weightDecay, \.weightDecay); try read(.noBiasDecay, \.noBiasDecay); try read(.batchSize, \.batchSize)
        try read(.schedule, \.schedule); try read(.stepEvery, \.stepEvery); try read(.stepGamma, \.stepGamma)
        try read(.epochs, \.epochs); try read(.warmupEpochs, \.warmupEpochs); try read(.labelSmoothing, \.labelSmoothing)
        try read(.mixupAlpha, \.mixupAlpha); try read(.adaptiveEvery, \.adaptiveEvery); try read(.inputWidth, \.inputWidth)
        try read(.inputHeight, \.inputHeight); try read(.horizontalFlip, \.horizontalFlip); try read(.seed, \.seed)
        try read(.validateEvery, \.validateEvery); try read(.keepBest, \.keepBest); try read(.patience, \.patience); try read(.emaDecay, \.emaDecay)
        try read(.autoLearningRate, \.autoLearningRate); try read(.cutMixAlpha, \.cutMixAlpha)
        try read(.distillTemperature, \.distillTemperature); try read(.distillWeight, \.distillWeight)
        try read(.crop, \.crop); try read(.randAugmentCount, \.randAugmentCount)
        try read(.randAugmentMagnitude, \.randAugmentMagnitude); try read(.syncBatchNorm, \.syncBatchNorm)
        try read(.order, \.order)
        // A checkpoint from before mixed batches trained on single-task ones.
        mixTasks = try c.decodeIfPresent(Bool.self, forKey: .mixTasks) ?? false
        if let old = try? c.decodeIfPresent(Bool.self, forKey: .augment) {
            augment = old ? .full : .off
        } else {
            try read(.augment, \.augment)
        }
    }
}
