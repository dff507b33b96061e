import Engine

/// Maps training settings onto the engine's learning-rate schedule.
public struct LearningRateScheduleDescription {
    public let schedule: LearningRateSchedule

    init(settings s: TrainingSettings) {
        let decay: LearningRateSchedule.Decay = switch s.schedule {
        case .step: .step(every: s.stepEvery, gamma: s.stepGamma)
        case .cosine: .cosine(totalEpochs: s.epochs, minimum: 0)
        }
        schedule = LearningRateSchedule(base: s.learningRate, decay: decay, warmupEpochs: s.warmupEpochs)
    }
}
