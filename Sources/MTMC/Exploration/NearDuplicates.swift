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

/// Disjoint sets over 0..<n, the smaller index the root.
struct UnionFind {
    var parent: [Int]
    init(_ n: Int) { parent = Array(0..<n) }
    mutating func root(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (root(a), root(b))
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}

/// Groups of keys linked by nearness (single linkage), as indices into `keys`: only groups of two or
/// more, each sorted, ordered by first index. Every pair is compared (XOR, popcount and three byte
/// differences: a few nanoseconds) on `threads` threads, each joining its pairs into its own sets, merged
/// at the end, so that many equal keys cost no memory. `isCancelled` is polled every 256 rows.
public func linkedKeys(_ keys: [NearKey], bits: Int, colour: Int, threads: Int = Threads.count,
                       isCancelled: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }) throws -> [[Int]] {
    let n = keys.count
    let chunks = max(1, min(threads, n))
    var perThread = [UnionFind](repeating: UnionFind(0), count: chunks)
    try withoutActuallyEscaping(isCancelled) { poll in
        try withoutActuallyEscaping(progress) { report in
            let shared = SharedProgress(total: n, report: report, poll: poll)
            keys.withUnsafeBufferPointer { k in
                perThread.withUnsafeMutableBufferPointer { sets in
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        var local = UnionFind(n)
                        // Rows dealt round-robin, so that each thread gets long and short rows alike.
                        var row = chunk, since = 0
                        while row < n {
                            let a = k[row]
                            for other in (row + 1)..<n where a.isNear(k[other], bits: bits, colour: colour) { local.union(row, other) }
                            row += chunks
                            since += 1
                            if since == 256 || row >= n {
                                if shared.add(since) { break }
                                since = 0
                            }
                        }
                        sets[chunk] = local
                    }
                }
            }
            if shared.cancelled { throw Cancelled(what: "stopped after comparing \(shared.done) of \(n) images") }
        }
    }
    var all = UnionFind(n)
    for var local in perThread where !local.parent.isEmpty {
        for i in 0..<n { all.union(i, local.root(i)) }
    }
    var groups: [Int: [Int]] = [:]
    for i in 0..<n { groups[all.root(i), default: []].append(i) }
    return groups.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
}
