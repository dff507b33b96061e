import Engine
import Foundation

/// The original's precision levels: 0.10, 0.12, …, 0.98 (45 levels).
public let precisionLevels: [Double] = (0..<45).map { (10 + 2 * Double($0)) / 100 }

/// One class's map from raw output to precision (DESIGN.md §3): for each level, the lowest raw output
/// above which validation predictions of the class stay at or above that precision.
public struct ClassCalibration: Codable, Equatable {
    /// Threshold per level of `precisionLevels`; nil where the level is never reached.
    public var thresholds: [Double?]
    /// Validation samples with raw output at or above each threshold (0 where unreached).
    public var support: [Int]
    /// Validation samples of this class.
    public var positives: Int

    /// The precision curve P(t) = |{z ≥ t, y = c}| / |{z ≥ t}| at each distinct raw output, highest first,
    /// and its monotone envelope (the lowest precision at or above t).
    public static func curve(scores: [Double], isPositive: [Bool]) -> [(threshold: Double, precision: Double, monotone: Double, count: Int)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var result: [(Double, Double, Double, Int)] = []
        var hits = 0, seen = 0, lowest = Double.infinity
        var i = 0
        while i < order.count {
            let t = scores[order[i]]
            while i < order.count && scores[order[i]] == t {
                seen += 1
                if isPositive[order[i]] { hits += 1 }
                i += 1
            }
            let p = Double(hits) / Double(seen)
            lowest = min(lowest, p)
            result.append((t, p, lowest, seen))
        }
        return result
    }

    /// Builds the table from one class's raw outputs over the validation set.
    public init(scores: [Double], isPositive: [Bool]) {
        let points = ClassCalibration.curve(scores: scores, isPositive: isPositive)
        positives = isPositive.filter { $0 }.count
        thresholds = []
        support = []
        for level in precisionLevels {
            // Walk down from the highest output while the envelope stays at or above the level.
            var threshold: Double?, count = 0
            for point in points where point.monotone >= level - 1e-12 {
                threshold = point.threshold
                count = point.count
            }
            thresholds.append(threshold)
            support.append(threshold == nil ? 0 : count)
        }
    }

    /// The calibrated confidence of a raw output: the highest level whose threshold it reaches (0 below them all).
    public func confidence(_ raw: Double) -> Double {
        var best = 0.0
        for (level, threshold) in zip(precisionLevels, thresholds) where threshold != nil && raw >= threshold! { best = level }
        return best
    }
}

/// A task's calibration: per-class precision tables, temperature scaling, and expected calibration error.
public struct TaskCalibration: Codable, Equatable {
    public var task: String
    public var classes: [String]
    public var tables: [ClassCalibration]
    /// The single temperature T minimising validation NLL of softmax(z / T).
    public var temperature: Double
    public var eceBefore: Double
    public var eceAfter: Double
    /// Classes with fewer validation samples than `minimumSamples`: their tables say little.
    public var tooFew: [String]

    public static let minimumSamples = 5

    /// Calibrates from raw outputs [N, K] and labels of a validation evaluation.
    public init(task: String, classes: [String], logits: Tensor, labels: [Int]) {
        self.task = task
        self.classes = classes
        let k = classes.count, n = labels.count
        let z = logits.scalars.map(Double.init)
        let tables = (0..<k).map { c in
            ClassCalibration(scores: (0..<n).map { z[$0 * k + c] }, isPositive: labels.map { $0 == c })
        }
        self.tables = tables
        temperature = TaskCalibration.fitTemperature(z, labels: labels, classes: k)
        eceBefore = TaskCalibration.expectedCalibrationError(z, labels: labels, classes: k, temperature: 1)
        eceAfter = TaskCalibration.expectedCalibrationError(z, labels: labels, classes: k, temperature: temperature)
        tooFew = classes.indices.filter { tables[$0].positives < TaskCalibration.minimumSamples }.map { classes[$0] }
    }

    /// Mean negative log-likelihood of softmax(z / T).
    public static func nll(_ z: [Double], labels: [Int], classes k: Int, temperature t: Double) -> Double {
        var total = 0.0
        for (i, label) in labels.enumerated() {
            let row = z[(i * k)..<((i + 1) * k)].map { $0 / t }
            let top = row.max()!
            total += top + log(row.reduce(0) { $0 + exp($1 - top) }) - row[label]
        }
        return total / Double(max(1, labels.count))
    }

    /// Golden-section search of log T over [−4, 4] (T from 0.018 to 55); NLL is convex in 1/T.
    public static func fitTemperature(_ z: [Double], labels: [Int], classes k: Int) -> Double {
        guard !labels.isEmpty else { return 1 }
        var lo = -4.0, hi = 4.0
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
        var fa = nll(z, labels: labels, classes: k, temperature: exp(a)), fb = nll(z, labels: labels, classes: k, temperature: exp(b))
        for _ in 0..<80 {
            if fa < fb {
                hi = b; b = a; fb = fa
                a = hi - ratio * (hi - lo)
                fa = nll(z, labels: labels, classes: k, temperature: exp(a))
            } else {
                lo = a; a = b; fa = fb
                b = lo + ratio * (hi - lo)
                fb = nll(z, labels: labels, classes: k, temperature: exp(b))
            }
        }
        return exp((lo + hi) / 2)
    }

    /// Reliability of the top softmax confidence in `bins` equal-width bins: per bin (count, mean confidence, accuracy).
    public static func reliability(_ z: [Double], labels: [Int], classes k: Int, temperature t: Double, bins: Int = 15)
        -> [(count: Int, confidence: Double, accuracy: Double)] {
        var count = [Int](repeating: 0, count: bins), confidence = [Double](repeating: 0, count: bins), correct = [Int](repeating: 0, count: bins)
        for (i, label) in labels.enumerated() {
            let row = z[(i * k)..<((i + 1) * k)].map { $0 / t }
            let top = row.max()!
            let sum = row.reduce(0) { $0 + exp($1 - top) }
            let predicted = row.firstIndex(of: top)!
            let p = 1 / sum  // exp(top − top) / Σ
            let bin = min(bins - 1, Int(p * Double(bins)))
            count[bin] += 1
            confidence[bin] += p
            if predicted == label { correct[bin] += 1 }
        }
        return (0..<bins).map { b in
            count[b] == 0 ? (0, 0, 0) : (count[b], confidence[b] / Double(count[b]), Double(correct[b]) / Double(count[b]))
        }
    }

    /// Expected calibration error (15 bins): Σ |B|/N · |accuracy(B) − confidence(B)|.
    public static func expectedCalibrationError(_ z: [Double], labels: [Int], classes k: Int, temperature t: Double) -> Double {
        let bins = reliability(z, labels: labels, classes: k, temperature: t)
        let n = Double(max(1, labels.count))
        return bins.reduce(0) { $0 + Double($1.count) / n * abs($1.accuracy - $1.confidence) }
    }

    /// The original's export shape: `{"class_idx_dict": {"0": name, …}, "pvals": [...], "ptmat_dict": {name: [45 thresholds]}}`;
    /// an unreached level is null.
    public var originalExport: [String: Any] {
        var classIndex: [String: String] = [:]
        var matrix: [String: Any] = [:]
        for (i, name) in classes.enumerated() {
            classIndex[String(i)] = name
            matrix[name] = tables[i].thresholds.map { $0.map { $0 as Any } ?? NSNull() }
        }
        return ["class_idx_dict": classIndex, "pvals": precisionLevels, "ptmat_dict": matrix]
    }
}
