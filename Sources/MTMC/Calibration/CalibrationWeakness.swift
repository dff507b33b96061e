/// Why a class's table is weak, and what would strengthen it (`show calib TASK`).
public struct CalibrationWeakness: Equatable {
    /// Fewer validation images of the class than three times `calibmin`: its levels rest on few samples.
    public var lowSupport: Bool
    /// The best level reached is below 0.80 (or none is).
    public var fewLevels: Bool
    /// The first level not reached and why; nil when all 45 are.
    public var firstUnreached: CalibrationLevel?
    public var positives: Int

    /// The best level a table must reach, and validation images per `calibmin` a class should have.
    public static let goodLevel = 0.80
    public static let supportFactor = 3

    /// nil when the table is not weak.
    public init?(_ table: ClassCalibration, options: CalibrationOptions) {
        positives = table.positives
        lowSupport = table.positives < CalibrationWeakness.supportFactor * options.minimumSupport
        fewLevels = (table.best?.level ?? 0) < CalibrationWeakness.goodLevel - 1e-9
        firstUnreached = table.levels.first { $0.threshold == nil }
        guard lowSupport || fewLevels else { return nil }
    }

    /// What would help, in words.
    public var advice: String {
        switch firstUnreached?.unreachable {
        case .tooFewSamples? where lowSupport, nil:
            return "more validation images of this class"
        case .tooFewSamples?:
            return "a model that separates it better, or more validation images: only its few highest raw outputs are precise enough"
        case .precisionNeverReached?:
            return "a model that separates it better (more or cleaner training images of it and of the classes it is confused with, more epochs); more validation images alone will not"
        }
    }
}
