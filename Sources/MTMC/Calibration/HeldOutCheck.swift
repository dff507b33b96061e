/// How precision tables built on one half of the validation set hold on the other half: for each reached
/// level with at least one held-out prediction at or above its threshold, whether the held-out precision
/// there reaches the level, and by how much it falls short where it does not (an average of the
/// signed gap would let the easy low levels hide the misses).
public struct HeldOutCheck: Codable, Equatable {
    /// (level, fold) pairs with held-out predictions at or above the threshold.
    public var checked = 0
    /// Of those, how many reach the level's precision.
    public var held = 0
    /// Sum over the pairs that miss of level − held-out precision.
    public var shortfallSum = 0.0

    public init(checked: Int = 0, held: Int = 0, shortfallSum: Double = 0) {
        self.checked = checked
        self.held = held
        self.shortfallSum = shortfallSum
    }

    /// Fraction of checked levels that hold; nil when nothing could be checked.
    public var holdRate: Double? { checked == 0 ? nil : Double(held) / Double(checked) }
    /// Mean level − held-out precision over the levels that miss; nil when none misses.
    public var meanShortfall: Double? { held == checked ? nil : shortfallSum / Double(checked - held) }

    /// Records one level: `hits` of `support` held-out predictions at or above its threshold were right.
    public mutating func record(level: Double, hits: Int, support: Int) {
        guard support > 0 else { return }
        let precision = Double(hits) / Double(support)
        checked += 1
        if precision >= level - 1e-12 { held += 1 } else { shortfallSum += level - precision }
    }

    public static func + (a: HeldOutCheck, b: HeldOutCheck) -> HeldOutCheck {
        HeldOutCheck(checked: a.checked + b.checked, held: a.held + b.held, shortfallSum: a.shortfallSum + b.shortfallSum)
    }
}
