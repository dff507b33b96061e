import Foundation

/// Axis ticks at round values: a step of 1, 2 or 5 × 10ⁿ chosen so that about `target` ticks cover the
/// range, each tick a multiple of the step; `whole` keeps the step at 1 or more (epochs).
public struct NiceTicks: Equatable {
    public let step: Double
    public let values: [Double]

    public init(_ range: ClosedRange<Double>, target: Int = 5, whole: Bool = false) {
        let span = range.upperBound - range.lowerBound
        var step = Self.roundStep(span > 0 ? span / Double(max(1, target)) : 1)
        if whole { step = max(1, step.rounded()) }
        // A range no double can span (non-finite values reach plots) gets no ticks rather than a trap.
        guard step.isFinite, step > 0, range.lowerBound.isFinite, range.upperBound.isFinite else {
            self.step = 1
            values = []
            return
        }
        self.step = step
        let first = (range.lowerBound / step).rounded(.up), last = (range.upperBound / step + 1e-9).rounded(.down)
        values = first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : []
    }

    /// The smallest of 1, 2, 5 × 10ⁿ at or above `raw`.
    static func roundStep(_ raw: Double) -> Double {
        let power = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-9) { return m * power }
        return 10 * power
    }

    /// The first tick at or above `value` on a grid of `step`: an upper bound for an axis that ends on a tick.
    public static func ceiling(_ value: Double, target: Int = 5) -> Double {
        let step = roundStep(value > 0 ? value / Double(target) : 1)
        return (value / step - 1e-9).rounded(.up) * step
    }

    /// A tick's label with as many decimals as the step needs (0.05 → "0.05", 2 → "2").
    public func label(_ value: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
