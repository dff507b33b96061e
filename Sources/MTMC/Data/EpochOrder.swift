import Engine

/// How an epoch orders each task's drawn samples (`set order`).
public enum EpochOrder: String, Codable, CaseIterable, Equatable {
    /// A full random shuffle: each batch reads its images from anywhere in the cache.
    case shuffle
    /// Quasi-random, as FFCV and WebDataset read: samples grouped by cache chunk, the groups in random order,
    /// and samples shuffled within windows of `chunkWindow` consecutive groups, so a disk cache is read chunk
    /// by chunk, each whole and once, in long sequential reads.
    case chunks

    /// Groups shuffled together under `chunks`: batches mix this many chunks' images.
    public static let chunkWindow = 4

    /// `samples` (one task's draw, repeats included) in this order. Both orders draw the same numbers from
    /// `rng` (one shuffle), so the epoch's other draws, and so its multiset of samples, do not depend on the order:
    /// `chunks` rearranges the shuffle, taking chunks in the order they first appear in it and each window's
    /// samples in their shuffled order (a uniformly random interleaving of the window's chunks).
    public func arrange(_ samples: [Sample], cache: CacheOrder, rng: inout RandomGenerator) -> [Sample] {
        var shuffled = samples
        rng.shuffle(&shuffled)
        guard self == .chunks else { return shuffled }
        var rank: [Int: Int] = [:]
        var windows: [[Sample]] = []
        for sample in shuffled {
            let chunk = cache.chunk(ofImage: sample.image)
            let window = (rank[chunk] ?? { rank[chunk] = rank.count; return rank.count - 1 }()) / EpochOrder.chunkWindow
            if window == windows.count { windows.append([]) }
            windows[window].append(sample)
        }
        return windows.flatMap { $0 }
    }
}
