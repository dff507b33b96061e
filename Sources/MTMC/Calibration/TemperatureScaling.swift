import Foundation

/// Temperature scaling and expected calibration error of the top softmax value.
extension TaskCalibration {
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
        reliability(z, labels: labels, classes: k, temperatures: Array(repeating: t, count: labels.count), bins: bins)
    }

    /// The same with a temperature per sample (cross-fitting scores each half with the other half's).
    public static func reliability(_ z: [Double], labels: [Int], classes k: Int, temperatures: [Double], bins: Int = 15)
        -> [(count: Int, confidence: Double, accuracy: Double)] {
        var count = [Int](repeating: 0, count: bins), confidence = [Double](repeating: 0, count: bins), correct = [Int](repeating: 0, count: bins)
        for (i, label) in labels.enumerated() {
            let row = z[(i * k)..<((i + 1) * k)].map { $0 / temperatures[i] }
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
        expectedCalibrationError(z, labels: labels, classes: k, temperatures: Array(repeating: t, count: labels.count))
    }

    public static func expectedCalibrationError(_ z: [Double], labels: [Int], classes k: Int, temperatures: [Double]) -> Double {
        let bins = reliability(z, labels: labels, classes: k, temperatures: temperatures)
        let n = Double(max(1, labels.count))
        return bins.reduce(0) { $0 + Double($1.count) / n * abs($1.accuracy - $1.confidence) }
    }
}
