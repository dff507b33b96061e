/// How a task without a `val/` folder gets its validation images: in each class, the share `share` of its
/// `train/` files whose seeded hash of their path (relative to `train/`) is lowest. The decision rests on
/// each file's name, not its position: adding files to a class moves at most the few files at the share's
/// boundary, and every other file keeps its split; the same seed gives the same split on every machine.
public struct ValidationSplit: Equatable {
    /// Share of each class held out for validation (0…0.9).
    public var share: Double
    public var seed: UInt64

    public init(share: Double = 0.2, seed: UInt64 = 1) {
        self.share = share
        self.seed = seed
    }

    /// How many of a class's `count` files go to validation: the share rounded, at least one when the class
    /// has two or more files and the share is above zero, and never all of them.
    public func valCount(of count: Int) -> Int {
        guard share > 0, count >= 2 else { return 0 }
        return min(count - 1, max(1, Int((share * Double(count)).rounded())))
    }

    /// Per file of one class (paths relative to the task's `train/`), whether it goes to validation.
    public func isVal(_ relativePaths: [String]) -> [Bool] {
        let ranked = relativePaths.indices.sorted { (key(relativePaths[$0]), relativePaths[$0]) < (key(relativePaths[$1]), relativePaths[$1]) }
        var result = [Bool](repeating: false, count: relativePaths.count)
        for i in ranked.prefix(valCount(of: relativePaths.count)) { result[i] = true }
        return result
    }

    /// A 64-bit hash of the seed and the path's UTF-8 bytes (FNV-1a, then a SplitMix64 finalizer to spread
    /// its bits), the same on every platform and run, unlike Swift's per-process `Hasher`.
    public func key(_ relativePath: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in withUnsafeBytes(of: seed.littleEndian, Array.init) + Array(relativePath.utf8) {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
