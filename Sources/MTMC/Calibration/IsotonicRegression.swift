/// Isotonic (non-decreasing) least-squares regression by pool adjacent violators, as scikit-learn's
/// `IsotonicRegression(increasing=True)`: points with equal x are first merged into one point carrying
/// their weighted mean (so ties always get one fitted value), then adjacent blocks whose means decrease
/// are pooled until the means never decrease.
public struct IsotonicFit: Equatable {
    /// Distinct x values, increasing.
    public let x: [Double]
    /// Fitted value at each distinct x, non-decreasing.
    public let fitted: [Double]
    /// Total weight behind each distinct x.
    public let weight: [Double]

    /// Fits y on x with weights (default 1). Empty input gives an empty fit.
    public init(x: [Double], y: [Double], weights: [Double]? = nil) {
        precondition(x.count == y.count && (weights?.count ?? x.count) == x.count, "isotonic: x, y and weights differ in length")
        let order = x.indices.sorted { x[$0] < x[$1] }
        var xs: [Double] = [], means: [Double] = [], totals: [Double] = []
        for i in order {
            let w = weights?[i] ?? 1
            if let last = xs.last, last == x[i] {
                let merged = totals[totals.count - 1] + w
                means[means.count - 1] += (y[i] - means[means.count - 1]) * w / merged
                totals[totals.count - 1] = merged
            } else {
                xs.append(x[i]); means.append(y[i]); totals.append(w)
            }
        }
        self.x = xs
        weight = totals
        fitted = IsotonicFit.poolAdjacentViolators(means, weights: totals)
    }

    /// The classic stack of blocks: each new point starts a block; while the block before has a larger
    /// mean, the two are pooled into their weighted mean.
    static func poolAdjacentViolators(_ y: [Double], weights: [Double]) -> [Double] {
        var mean: [Double] = [], total: [Double] = [], length: [Int] = []
        for (value, w) in zip(y, weights) {
            mean.append(value); total.append(w); length.append(1)
            while mean.count > 1 && mean[mean.count - 2] > mean[mean.count - 1] {
                let m = mean.removeLast(), t = total.removeLast(), l = length.removeLast()
                let pooled = total[total.count - 1] + t
                mean[mean.count - 1] = (mean[mean.count - 1] * total[total.count - 1] + m * t) / pooled
                total[total.count - 1] = pooled
                length[length.count - 1] += l
            }
        }
        return zip(mean, length).flatMap { Array(repeating: $0.0, count: $0.1) }
    }
}
