import Engine
import Foundation

/// The JSON of a prediction, one object per image: what `mtmc predict --json` prints and what `serve`'s
/// POST /predict answers, built here so that both speak the same format.
extension PredictionReport {
    /// One JSON object per image: {"image": path, "backbone_passes": n, "tasks": {task: [{"class", "raw", "softmax",
    /// "confidence"}]}} (n: the backbone passes the image cost for every task); calibrated, also "above": {task: [classes whose calibrated confidence reaches `threshold`]}.
    public func jsonLines(threshold: Double = Defaults.threshold) -> [String] {
        results.map { result in
            // Keys in code-point order, at every level, so that a line's text depends on its values only.
            let tasks = result.tasks.sorted { $0.task.unicodeScalars.lexicographicallyPrecedes($1.task.unicodeScalars) }
            var members: [(key: String, value: String)] = []
            if calibrated {
                members.append(("above", jsonObject(tasks.map { task, scores in
                    (task, jsonArray(scores.filter { ($0.confidence ?? -1) >= threshold }.map { jsonQuoted($0.name) }))
                })))
            }
            members.append(("backbone_passes", "\(backbonePasses)"))
            members.append(("image", jsonQuoted(result.path)))
            members.append(("tasks", jsonObject(tasks.map { task, scores in (task, jsonArray(scores.map(scoreJSON))) })))
            return jsonObject(members)
        }
    }

    /// {"class", "confidence", "raw", "softmax"} of one class; a diverged model's values are null, not a failed line.
    private func scoreJSON(_ s: ClassScore) -> String {
        jsonObject([("class", jsonQuoted(s.name)), ("confidence", s.confidence.map(jsonNumber) ?? "null"),
                    ("raw", jsonNumber(s.raw)), ("softmax", jsonNumber(s.softmax))])
    }
}
