/// The original's precision levels: 0.10, 0.12, …, 0.98 (45 levels).
public let precisionLevels: [Double] = (0..<45).map { (10 + 2 * Double($0)) / 100 }

/// One class's map from raw output to precision (DESIGN.md §3): for each level, the lowest raw output
/// from which validation predictions of the class reach that precision, read off a non-decreasing
/// estimate with enough support, so that one wrong prediction at the top cannot empty the table.
public struct ClassCalibration: Codable, Equatable {
    /// One per `precisionLevels`. Reached levels are always a prefix (a level's condition implies every
    /// lower level's), so thresholds never decrease from one level to the next.
    public var levels: [CalibrationLevel]
    /// Validation samples of this class, and in all.
    public var positives: Int
    public var samples: Int

    /// Threshold per level; nil where the level is not reached (the exported table).
    public var thresholds: [Double?] { levels.map(\.threshold) }
    /// How many of the 45 levels are reached.
    public var reachedCount: Int { levels.filter { $0.threshold != nil }.count }
    /// The highest level reached, if any.
    public var best: CalibrationLevel? { levels.last { $0.threshold != nil } }

    /// Builds the table from one class's raw outputs over the validation set.
    public init(scores: [Double], isPositive: [Bool], options: CalibrationOptions = CalibrationOptions()) {
        let curve = PrecisionCurve(scores: scores, isPositive: isPositive, fit: options.fit)
        levels = precisionLevels.map { CalibrationLevel(level: $0, curve: curve, options: options) }
        positives = isPositive.filter { $0 }.count
        samples = scores.count
    }

    /// The calibrated confidence of a raw output: the highest level whose threshold it reaches, so above
    /// the top threshold it is the highest level reached; 0 means below the lowest level (shown "<0.10").
    /// Non-decreasing in `raw` whatever the thresholds, since a higher raw output reaches a superset of them.
    public func confidence(_ raw: Double) -> Double {
        var best = 0.0
        for level in levels {
            if let t = level.threshold, raw >= t { best = max(best, level.level) }
        }
        return best
    }
}
