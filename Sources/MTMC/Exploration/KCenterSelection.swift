/// Greedy k-center selection: picks up to `count` of the `candidates` (rows of unit-length `features`) so that
/// every candidate lies near a picked one. The first candidate is picked first; each next pick is the candidate
/// farthest (in cosine distance) from everything picked so far, the earlier candidate on a tie. Near copies are
/// close to each other, so once one of them is picked the others come last; a candidate whose features equal a
/// picked one's (distance under `sameBelow`) is never picked, so fewer than `count` may come back.
/// Returns positions in `candidates`, in the order picked.
public func kCenterSelection(features: [Float], dimension d: Int, candidates: [Int], count: Int, sameBelow: Float = 1e-6) -> [Int] {
    guard count > 0, !candidates.isEmpty else { return [] }
    var picked = [0]
    var distance = [Float](repeating: .infinity, count: candidates.count)
    features.withUnsafeBufferPointer { f in
        while picked.count < min(count, candidates.count) {
            let last = candidates[picked[picked.count - 1]] * d
            var farthest = -1
            for i in candidates.indices {
                var dot: Float = 0
                let row = candidates[i] * d
                for j in 0..<d { dot += f[row + j] * f[last + j] }
                distance[i] = min(distance[i], 1 - dot)
                if distance[i] >= sameBelow, farthest < 0 || distance[i] > distance[farthest] { farthest = i }
            }
            guard farthest >= 0 else { break }
            picked.append(farthest)
        }
    }
    return picked
}
