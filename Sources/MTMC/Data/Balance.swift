import Engine

/// How many samples each class contributes per epoch (DESIGN.md §2).
public struct Balance: Equatable {
    public enum Mode: Equatable {
        /// Every image once per epoch.
        case off
        /// Per-class quotas from `maxBase`, equal within a task.
        case balanced
        /// Quotas raised for classes with low training precision: M + (1 − p)(N − M), N = 2M.
        case adaptive(precision: [[Double]])
    }

    public var mode: Mode = .balanced
    /// The base quota before dividing among tasks; nil means the mean number of training images
    /// per class over all classes, so a balanced epoch is about as long as one pass over the data.
    public var maxBase: Int?

    public init(mode: Mode = .balanced, maxBase: Int? = nil) {
        self.mode = mode
        self.maxBase = maxBase
    }

    /// The default `maxBase` for these class sizes (training images per class, per task).
    public static func defaultMaxBase(_ classSizes: [[Int]]) -> Int {
        let all = classSizes.flatMap { $0 }
        return max(1, all.reduce(0, +) / max(1, all.count))
    }

    /// Per-task base quota: maxBase × (fewest classes of any task) / classes in this task (integer division).
    public static func baseQuotas(maxBase: Int, classesPerTask: [Int]) -> [Int] {
        let fewest = classesPerTask.min() ?? 1
        return classesPerTask.map { max(1, maxBase * fewest / max(1, $0)) }
    }

    /// The adaptive quota of a class with training precision p: M + (1 − p)(2M − M), p clamped to [0.001, 0.9999].
    public static func adaptiveQuota(base m: Int, precision p: Double) -> Int {
        let clamped = min(0.9999, max(0.001, p.isNaN ? 0.001 : p))
        return Int(Double(m) + (1 - clamped) * Double(2 * m - m))
    }

    /// Samples per class per epoch, per task, for training sets of these class sizes. A task draws at least two
    /// samples, since a batch norm cannot train on one: when it would draw one (a single class with images, of
    /// quota 1), that class draws two.
    public func quotas(classSizes: [[Int]]) -> [[Int]] {
        if case .off = mode { return classSizes.map(Balance.atLeastTwo) }
        let bases = Balance.baseQuotas(maxBase: maxBase ?? Balance.defaultMaxBase(classSizes),
                                       classesPerTask: classSizes.map(\.count))
        return classSizes.indices.map { t in
            Balance.atLeastTwo(classSizes[t].indices.map { c in
                if case .adaptive(let precision) = mode, t < precision.count, c < precision[t].count {
                    return Balance.adaptiveQuota(base: bases[t], precision: precision[t][c])
                }
                return bases[t]
            }, sizes: classSizes[t])
        }
    }

    /// `quotas` of one task with the quota of its only class with images raised to 2 when the task would draw one sample.
    private static func atLeastTwo(_ quotas: [Int], sizes: [Int]) -> [Int] {
        let drawn = sizes.indices.filter { sizes[$0] > 0 && quotas[$0] > 0 }
        guard drawn.count == 1, quotas[drawn[0]] == 1 else { return quotas }
        var raised = quotas
        raised[drawn[0]] = 2
        return raised
    }

    private static func atLeastTwo(_ sizes: [Int]) -> [Int] { atLeastTwo(sizes, sizes: sizes) }

    /// One epoch's draw from a class of `items`: every item ⌊q/n⌋ times, plus a random subset
    /// of q mod n distinct items, so a small class is repeated as evenly as possible and a large
    /// one contributes a random subset.
    public static func draw<T>(_ items: [T], quota: Int, rng: inout RandomGenerator) -> [T] {
        guard !items.isEmpty, quota > 0 else { return [] }
        var result: [T] = []
        result.reserveCapacity(quota)
        for _ in 0..<(quota / items.count) { result.append(contentsOf: items) }
        var rest = items
        rng.shuffle(&rest)
        result.append(contentsOf: rest.prefix(quota % items.count))
        return result
    }
}
