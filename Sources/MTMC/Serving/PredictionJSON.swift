import Foundation

/// The JSON of a prediction, one object per image: what `mtmc predict --json` prints and what `serve`'s
/// POST /predict answers, built here so that both speak the same format.
extension PredictionReport {
    /// One JSON object per image: {"image": path, "backbone_passes": n, "tasks": {task: [{"class", "raw", "softmax",
    /// "confidence"}]}} (n: the backbone passes the image cost for every task); calibrated, also "above": {task: [classes whose calibrated confidence reaches `threshold`]}.
    public func jsonLines(threshold: Double = Defaults.threshold) -> [String] {
        results.map { result in
            var tasks: [String: Any] = [:], above: [String: [String]] = [:]
            for (task, scores) in result.tasks {
                tasks[task] = scores.map { s -> [String: Any] in
                    // JSON has no NaN or infinity: a diverged model's values are null, not a failed (empty) line.
                    func number(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
                    var o: [String: Any] = ["class": s.name, "raw": number(s.raw), "softmax": number(s.softmax)]
                    o["confidence"] = s.confidence ?? NSNull()
                    return o
                }
                above[task] = scores.filter { ($0.confidence ?? -1) >= threshold }.map(\.name)
            }
            var object: [String: Any] = ["image": result.path, "backbone_passes": backbonePasses, "tasks": tasks]
            if calibrated { object["above"] = above }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
