import Foundation

/// An image whose label confident learning doubts: row of the outputs, given and suggested class, their
/// probabilities, and the margin p(suggested) − p(given) that ranks it.
public struct LabelSuspect: Equatable {
    public let row: Int
    public let given: Int
    public let suggested: Int
    public let givenProbability: Double
    public let suggestedProbability: Double
    public var margin: Double { suggestedProbability - givenProbability }
}

/// Confident learning (Northcutt, Jiang and Chuang, 2021) on out-of-sample probabilities. Each class's
/// threshold is its mean self-confidence: the mean probability of class j over the images labelled j.
/// An image counts as confidently of class k when p(k) reaches k's threshold; when the most probable such
/// class is not its label, the image is a suspect. Suspects are ranked by margin, largest first (ties: row).
public struct ConfidentLearning {
    /// Per class; nil for a class without images (it is never suggested).
    public let thresholds: [Double?]
    public let suspects: [LabelSuspect]

    /// `probabilities` are [rows × classes], row-major, each row summing to 1.
    public init(probabilities p: [Double], labels: [Int], classes k: Int) {
        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        for (row, label) in labels.enumerated() {
            sums[label] += p[row * k + label]
            counts[label] += 1
        }
        let thresholds = (0..<k).map { counts[$0] == 0 ? nil : sums[$0] / Double(counts[$0]) }
        var suspects: [LabelSuspect] = []
        for (row, label) in labels.enumerated() {
            var best: Int?
            for j in 0..<k {
                guard let t = thresholds[j], p[row * k + j] >= t else { continue }
                if best.map({ p[row * k + j] > p[row * k + $0] }) ?? true { best = j }
            }
            guard let best, best != label else { continue }
            suspects.append(LabelSuspect(row: row, given: label, suggested: best, givenProbability: p[row * k + label],
                                         suggestedProbability: p[row * k + best]))
        }
        self.thresholds = thresholds
        self.suspects = suspects.sorted { $0.margin != $1.margin ? $0.margin > $1.margin : $0.row < $1.row }
    }
}

/// Row-wise softmax of [rows × classes] logits, in Double.
public func softmaxRows(_ logits: [Float], classes k: Int) -> [Double] {
    var out = [Double](repeating: 0, count: logits.count)
    for row in 0..<(logits.count / max(1, k)) {
        let z = logits[(row * k)..<((row + 1) * k)].map(Double.init)
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }, sum = e.reduce(0, +)
        for j in 0..<k { out[row * k + j] = e[j] / sum }
    }
    return out
}
