import Foundation

/// Per-class precision, recall, F1 and support of one evaluation, with macro and support-weighted
/// averages, balanced accuracy, top-1 and top-2: scikit-learn's classification_report and
/// balanced_accuracy_score on the same predictions. As there, an undefined precision (a class never
/// predicted), recall (a class with no samples) or F1 counts as 0 in the averages; the rows show it as undefined.
public struct ClassReport: Equatable {
    public struct Row: Equatable {
        public let name: String
        public let precision: Double?
        public let recall: Double?
        public let f1: Double?
        public let support: Int
    }

    public struct Averages: Equatable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
    }

    public let task: String
    public let phase: String
    public let rows: [Row]
    public let macro: Averages
    public let weighted: Averages
    /// Mean recall over the classes that have samples.
    public let balancedAccuracy: Double
    public let top1: Double
    public let top2: Double

    public init(_ e: TaskEvaluation) {
        task = e.taskName
        phase = e.phase
        let recall = e.recall, precision = e.precision
        rows = e.classes.indices.map { c in
            let f1: Double? = {
                guard let p = precision[c], let r = recall[c] else { return nil }
                return p + r == 0 ? 0 : 2 * p * r / (p + r)
            }()
            return Row(name: e.classes[c], precision: precision[c], recall: recall[c], f1: f1, support: e.confusion[c].reduce(0, +))
        }
        macro = ClassReport.averages(rows, weighted: false)
        weighted = ClassReport.averages(rows, weighted: true)
        let present = rows.compactMap(\.recall)
        balancedAccuracy = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        top1 = e.top1
        top2 = e.top2
    }

    /// Means over the classes, plain or weighted by support; an undefined value counts as 0.
    static func averages(_ rows: [Row], weighted: Bool) -> Averages {
        let total = Double(max(1, rows.reduce(0) { $0 + $1.support }))
        func average(_ value: (Row) -> Double?) -> Double {
            rows.map { (value($0) ?? 0) * (weighted ? Double($0.support) / total : 1 / Double(max(1, rows.count))) }.reduce(0, +)
        }
        return Averages(precision: average(\.precision), recall: average(\.recall), f1: average(\.f1))
    }

    /// Tab-separated, one row per class then the averages; "undefined" where a value is; UTF-8 with a
    /// byte-order mark like the evaluation logs, so Excel reads Chinese class names.
    public var tsv: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "undefined" }
        var lines = ["class\tprecision\trecall\tf1\tsupport"]
        lines += rows.map { "\($0.name)\t\(f($0.precision))\t\(f($0.recall))\t\(f($0.f1))\t\($0.support)" }
        let support = rows.reduce(0) { $0 + $1.support }
        lines.append("macro avg\t\(f(macro.precision))\t\(f(macro.recall))\t\(f(macro.f1))\t\(support)")
        lines.append("weighted avg\t\(f(weighted.precision))\t\(f(weighted.recall))\t\(f(weighted.f1))\t\(support)")
        lines.append("balanced accuracy\t\(f(balancedAccuracy))")
        lines.append("top-1\t\(f(top1))")
        lines.append("top-2\t\(f(top2))")
        return "\u{FEFF}" + lines.joined(separator: "\n") + "\n"
    }

    /// Writes `PHASE_TASK_Report_YYYY-MM-DD_HH-MM-SS.tsv` into `folder`, beside the evaluation logs; returns the path.
    public func write(folder: String, date: Date = Date()) throws -> String {
        try EvaluationLog.writeLog(Data(tsv.utf8), name: "\(phase.uppercased())_\(task)_Report", extension: "tsv", folder: folder, date: date)
    }
}

/// A (true → predicted) pair of classes the model mixes up.
public struct ConfusedPair: Equatable {
    public let truth: String
    public let predicted: String
    public let count: Int
    /// The share of the true class's samples predicted as `predicted`.
    public let share: Double
}

/// The `limit` most frequent off-diagonal cells of the confusion matrix, most first (ties: the larger
/// share of the true class, then class order).
public func mostConfusedPairs(_ e: TaskEvaluation, limit: Int) -> [ConfusedPair] {
    var pairs: [(t: Int, p: Int, pair: ConfusedPair)] = []
    for (t, row) in e.confusion.enumerated() {
        let support = row.reduce(0, +)
        for (p, count) in row.enumerated() where p != t && count > 0 {
            pairs.append((t, p, ConfusedPair(truth: e.classes[t], predicted: e.classes[p], count: count, share: Double(count) / Double(support))))
        }
    }
    pairs.sort { a, b in
        a.pair.count != b.pair.count ? a.pair.count > b.pair.count
            : a.pair.share != b.pair.share ? a.pair.share > b.pair.share : (a.t, a.p) < (b.t, b.p)
    }
    return pairs.prefix(max(0, limit)).map(\.pair)
}
