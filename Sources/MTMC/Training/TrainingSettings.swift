import Vision

/// Everything that shapes training, with the defaults of DESIGN.md §2 (SGD momentum 0.9, weight decay 1e-4).
public struct TrainingSettings: Codable, Equatable {
    public enum Schedule: String, Codable, CaseIterable {
        /// ×gamma every `stepEvery` epochs (the original: ×0.1 every 40).
        case step
        /// Half a cosine over `epochs` epochs.
        case cosine
    }

    public var learningRate: Float = 0.01
    public var momentum: Float = 0.9
    public var nesterov = false
    public var weightDecay: Float = 1e-4
    /// Bag of Tricks: no weight decay on biases and batch-norm parameters.
    public var noBiasDecay = false
    public var batchSize = 32
    public var schedule: Schedule = .step
    public var stepEvery = 40
    public var stepGamma: Float = 0.1
    /// Planned length of training, used by the cosine schedule.
    public var epochs = 30
    public var warmupEpochs = 0
    public var labelSmoothing: Float = 0
    /// Mixup's Beta(α, α) parameter; 0 turns mixup off.
    public var mixupAlpha: Float = 0
    /// Run adaptive balance from a train-set evaluation every this many epochs (0: never; the original used 20).
    public var adaptiveEvery = 0
    public var inputWidth = 64
    public var inputHeight = 64
    public var horizontalFlip = true
    /// Random affine and colour jitter on training images; off trains on the plain centre crop.
    public var augment = true
    public var seed: UInt64 = 1

    public init() {}

    /// The learning-rate schedule these settings describe.
    public var learningRateSchedule: LearningRateScheduleDescription {
        LearningRateScheduleDescription(settings: self)
    }

    /// The training augmentation these settings describe.
    public var augmentation: AugmentationSettings {
        var a = augment ? AugmentationSettings() : .none
        a.horizontalFlip = horizontalFlip
        return a
    }
}
