import Dispatch
import Engine
import Foundation

/// What the near-duplicate search compares: the difference hash (structure) and the mean colour, since
/// the hash sees brightness only and a red and a blue copy of one pattern are different pictures.
public struct NearKey: Equatable {
    public let hash: UInt64
    public let red: UInt8
    public let green: UInt8
    public let blue: UInt8

    public init(hash: UInt64, red: UInt8, green: UInt8, blue: UInt8) {
        (self.hash, self.red, self.green, self.blue) = (hash, red, green, blue)
    }

    /// Whether two keys are near: hashes at most `bits` apart, mean colours at most `colour` apart in every channel.
    @inline(__always)
    func isNear(_ other: NearKey, bits: Int, colour: Int) -> Bool {
        (hash ^ other.hash).nonzeroBitCount <= bits && abs(Int(red) - Int(other.red)) <= colour
            && abs(Int(green) - Int(other.green)) <= colour && abs(Int(blue) - Int(other.blue)) <= colour
    }
}

/// Groups of near keys, as indices into `keys`, without chaining: in index order, each key not yet in a
/// group leads one, joined by every later ungrouped key near it, so that no group spans more than the
/// threshold from its first member (single linkage would let A≈B≈C…≈Z join images that share nothing).
/// Only groups of two or more, each sorted, ordered by first index. Comparisons are XOR, popcount and
/// three byte differences, a few nanoseconds each, at most n²/2; the scan of a long remainder is split
/// over `threads` threads. `isCancelled` is polled every 256 leaders.
public func linkedKeys(_ keys: [NearKey], bits: Int, colour: Int, threads: Int = HostResources.inUse.threads,
                       isCancelled: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }) throws -> [[Int]] {
    let n = keys.count
    var group = [Int](repeating: -1, count: n)
    var groups: [[Int]] = []
    try keys.withUnsafeBufferPointer { k in
        try group.withUnsafeMutableBufferPointer { g in
            for leader in 0..<n where g[leader] < 0 {
                if leader % 256 == 0 {
                    progress(leader, n)
                    if isCancelled() { throw Cancelled(what: "stopped after comparing \(leader) of \(n) images") }
                }
                let id = groups.count
                g[leader] = id
                let rest = n - leader - 1
                let chunks = rest < 4096 ? 1 : max(1, min(threads, rest / 4096))
                let a = k[leader]
                // Each chunk writes only its own slots of `g`.
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let lo = leader + 1 + rest * chunk / chunks, hi = leader + 1 + rest * (chunk + 1) / chunks
                    for other in lo..<hi where g[other] < 0 && a.isNear(k[other], bits: bits, colour: colour) { g[other] = id }
                }
                groups.append([leader])
            }
        }
    }
    progress(n, n)
    var members = [[Int]](repeating: [], count: groups.count)
    for (i, id) in group.enumerated() { members[id].append(i) }
    return members.filter { $0.count > 1 }
}

/// Splits each hash-near group by a pixel-level check, the same way groups form: in order, each member
/// not yet placed leads a group joined by every later unplaced member `isSame` with it. Only groups of two
/// or more, ordered by first member.
public func confirmedGroups(_ groups: [[Int]], isSame: (Int, Int) -> Bool) -> [[Int]] {
    var result: [[Int]] = []
    for group in groups {
        var left = group
        while let leader = left.first {
            let joined = left.dropFirst().filter { isSame(leader, $0) }
            if !joined.isEmpty { result.append([leader] + joined) }
            let placed = Set(joined).union([leader])
            left.removeAll { placed.contains($0) }
        }
    }
    return result.sorted { $0[0] < $1[0] }
}
