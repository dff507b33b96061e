/// How raw-output → precision tables are estimated (DESIGN.md §3).
public struct CalibrationOptions: Codable, Equatable {
    /// The non-decreasing precision estimate a level's threshold is read from.
    public enum Fit: String, Codable, CaseIterable {
        /// Isotonic regression of "this prediction is correct" on the raw output: the precision of
        /// predictions *at* a raw output, never above the precision of all predictions above it.
        case isotonic
        /// Precision-recall interpolation: at t, the best precision of predictions at or above any
        /// threshold t' ≤ t (the running maximum from below of the cumulative precision).
        case interpolated
    }

    /// Whether a level is read from the estimate or from its Wilson 95 % lower bound.
    public enum Mode: String, Codable, CaseIterable {
        case estimate
        case conservative
    }

    public var fit: Fit
    public var mode: Mode
    /// Validation samples at or above a threshold below which a level does not count.
    public var minimumSupport: Int

    public init(fit: Fit = .isotonic, mode: Mode = .estimate, minimumSupport: Int = 10) {
        self.fit = fit
        self.mode = mode
        self.minimumSupport = minimumSupport
    }
}
