/// Two-fold cross-fitting over a validation set: whatever is fitted (a temperature, a precision table) is
/// fitted on one half and scored on the other, then the halves swap, so every image is scored by a fit
/// that never saw it. The halves are stratified: the j-th image of each class goes to half j mod 2, so a
/// rare class is split evenly instead of by luck.
public struct CrossFitting: Equatable {
    /// The half (0 or 1) of each validation sample.
    public let fold: [Int]

    public init(labels: [Int]) {
        var seen: [Int: Int] = [:]
        fold = labels.map { label in
            defer { seen[label, default: 0] += 1 }
            return seen[label, default: 0] % 2
        }
    }

    /// Indices of half `f`, and of the other half.
    public func indices(in f: Int) -> [Int] { fold.indices.filter { fold[$0] == f } }
    public func indices(outside f: Int) -> [Int] { fold.indices.filter { fold[$0] != f } }

    /// ECE after temperature scaling where each half is scored with the temperature fitted on the other;
    /// `temperatures[f]` is the one applied to half f.
    public func expectedCalibrationError(_ z: [Double], labels: [Int], classes k: Int) -> (ece: Double, temperatures: [Double]) {
        let temperatures = (0..<2).map { f -> Double in
            let rows = indices(outside: f)
            return TaskCalibration.fitTemperature(rows.flatMap { z[($0 * k)..<(($0 + 1) * k)] }, labels: rows.map { labels[$0] }, classes: k)
        }
        let perSample = fold.map { temperatures[$0] }
        return (TaskCalibration.expectedCalibrationError(z, labels: labels, classes: k, temperatures: perSample), temperatures)
    }

    /// Class c's tables built on each half and checked on the other.
    public func checkTables(_ z: [Double], labels: [Int], classes k: Int, of c: Int, options: CalibrationOptions) -> HeldOutCheck {
        var check = HeldOutCheck()
        for f in 0..<2 {
            let fitRows = indices(outside: f), testRows = indices(in: f)
            let table = ClassCalibration(scores: fitRows.map { z[$0 * k + c] }, isPositive: fitRows.map { labels[$0] == c }, options: options)
            for level in table.levels {
                guard let t = level.threshold else { continue }
                let above = testRows.filter { z[$0 * k + c] >= t }
                check.record(level: level.level, hits: above.filter { labels[$0] == c }.count, support: above.count)
            }
        }
        return check
    }
}
