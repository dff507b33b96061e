/// One class's precision as a function of the raw-output threshold, at each distinct raw output of the
/// validation set (highest first): how many predictions are at or above it, how many of them are right,
/// their precision, its Wilson lower bound, and a non-decreasing estimate that one image cannot break.
public struct PrecisionCurve: Equatable {
    public struct Point: Equatable {
        public var threshold: Double
        /// Samples with raw output ≥ threshold, and how many of them are of the class.
        public var support: Int
        public var hits: Int
        /// hits / support: the precision of predicting the class at raw ≥ threshold.
        public var precision: Double
        /// Wilson 95 % lower bound of `precision`.
        public var lowerBound: Double
        /// The fitted, non-decreasing precision estimate (CalibrationOptions.Fit).
        public var estimate: Double
    }

    /// Highest threshold first; estimates never increase along the array.
    public var points: [Point]

    public init(scores: [Double], isPositive: [Bool], fit: CalibrationOptions.Fit) {
        precondition(scores.count == isPositive.count, "precision curve: \(scores.count) scores, \(isPositive.count) labels")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points: [Point] = []
        var hits = 0, seen = 0, i = 0
        while i < order.count {
            let t = scores[order[i]]
            while i < order.count && scores[order[i]] == t {
                seen += 1
                if isPositive[order[i]] { hits += 1 }
                i += 1
            }
            points.append(Point(threshold: t, support: seen, hits: hits, precision: Double(hits) / Double(seen),
                                lowerBound: wilsonLowerBound(hits: hits, of: seen), estimate: 0))
        }
        let estimates = fit == .isotonic ? PrecisionCurve.isotonic(scores, isPositive) : PrecisionCurve.interpolated(points)
        for j in points.indices { points[j].estimate = estimates[j] }
        self.points = points
    }

    /// Isotonic regression of correctness on raw output, read at each distinct output (highest first).
    static func isotonic(_ scores: [Double], _ isPositive: [Bool]) -> [Double] {
        IsotonicFit(x: scores, y: isPositive.map { $0 ? 1 : 0 }).fitted.reversed()
    }

    /// Running maximum of the cumulative precision from the lowest threshold up.
    static func interpolated(_ points: [Point]) -> [Double] {
        var best = 0.0
        return points.reversed().map { best = max(best, $0.precision); return best }.reversed()
    }

    /// The value a level is compared with: the estimate, or in conservative mode also the lower bound.
    public static func score(_ point: Point, mode: CalibrationOptions.Mode) -> Double {
        mode == .estimate ? point.estimate : min(point.estimate, point.lowerBound)
    }
}
