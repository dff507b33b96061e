/// One precision level of a class's table: the lowest raw output from which predictions of the class
/// reach the level, with the evidence behind it, or why the level is not reached.
public struct CalibrationLevel: Codable, Equatable {
    public enum Unreachable: String, Codable {
        /// The estimate gets there, but only on fewer than `calibmin` samples (or, conservative, the
        /// Wilson bound of the samples there stays below the level): more validation images would help.
        case tooFewSamples = "too few samples"
        /// The precision estimate never gets there at any raw output.
        case precisionNeverReached = "precision never gets there"
    }

    public var level: Double
    /// nil when the level is not reached.
    public var threshold: Double?
    /// Validation samples with raw output ≥ threshold (0 when not reached).
    public var support: Int
    /// Their precision, its Wilson 95 % lower bound, and the fitted estimate at the threshold.
    public var precision: Double
    public var lowerBound: Double
    public var estimate: Double
    public var unreachable: Unreachable?

    /// Reads the level off a curve: the lowest threshold whose score (estimate, or conservative bound)
    /// reaches the level with at least `options.minimumSupport` samples at or above it.
    public init(level: Double, curve: PrecisionCurve, options: CalibrationOptions) {
        self.level = level
        let reaches = { (p: PrecisionCurve.Point) in PrecisionCurve.score(p, mode: options.mode) >= level - 1e-12 }
        if let point = curve.points.last(where: { reaches($0) && $0.support >= options.minimumSupport }) {
            threshold = point.threshold
            support = point.support
            precision = point.precision
            lowerBound = point.lowerBound
            estimate = point.estimate
            unreachable = nil
        } else {
            threshold = nil
            support = 0
            precision = 0
            lowerBound = 0
            estimate = 0
            unreachable = curve.points.contains { $0.estimate >= level - 1e-12 } ? .tooFewSamples : .precisionNeverReached
        }
    }
}
