import Foundation

/// The lower end of the Wilson score interval for a proportion `hits / n` (95 % two-sided by default).
/// Unlike the normal approximation it stays inside [0, 1] and is sensible at 0 or n hits, which is where
/// small calibration supports live: 10 of 10 gives 0.72, not 1. Zero trials give 0 (nothing is known).
public func wilsonLowerBound(hits: Int, of n: Int, z: Double = 1.959964) -> Double {
    guard n > 0 else { return 0 }
    let nd = Double(n), p = Double(hits) / nd, z2 = z * z
    let centre = p + z2 / (2 * nd)
    let spread = z * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot()
    return max(0, (centre - spread) / (1 + z2 / nd))
}
