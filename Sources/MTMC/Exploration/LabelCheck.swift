import Foundation

/// Confident learning on one split of one task: the images judged, their probabilities and the suspects.
/// Val images are judged by the current model; train images only by models that did not train on them.
public struct LabelCheck {
    public let taskName: String
    public let classes: [String]
    /// "val" or "train".
    public let split: String
    /// The judged images, in the order of the probability rows.
    public let samples: [Sample]
    public let result: ConfidentLearning

    /// Judges `samples` from their out-of-sample logits [samples × classes].
    public init(task: DatasetTask, split: String, samples: [Sample], logits: [Float]) {
        taskName = task.name
        classes = task.classes
        self.split = split
        self.samples = samples
        result = ConfidentLearning(probabilities: softmaxRows(logits, classes: task.classes.count), labels: samples.map(\.label),
                                   classes: task.classes.count)
    }

    /// Why confident learning has nothing to judge in `task`, or nil: it suggests another class for an image,
    /// and a task of one class has none.
    public static func nothingToJudge(in task: DatasetTask) -> String? {
        task.classes.count < 2 ? "one class (\(task.classes.joined())): no other label to suggest, nothing judged" : nil
    }

    /// Every suspect of these checks as tab-separated rows (split, image, given, suggested, probabilities, margin),
    /// written as `labels_TASK_DATE.tsv` into `folder`; returns the path.
    public static func write(_ checks: [LabelCheck], task: String, dataset: Dataset, folder: String, date: Date = Date()) throws -> String {
        var lines = ["split\timage\tgiven\tsuggested\tp(given)\tp(suggested)\tmargin"]
        for check in checks {
            for s in check.result.suspects {
                lines.append([check.split, dataset.shownFile(check.samples[s.row].image), check.classes[s.given], check.classes[s.suggested],
                              String(format: "%.4f", s.givenProbability), String(format: "%.4f", s.suggestedProbability),
                              String(format: "%.4f", s.margin)].joined(separator: "\t"))
            }
        }
        return try EvaluationLog.writeLog(Data((lines.joined(separator: "\n") + "\n").utf8), name: "labels_\(task)", extension: "tsv",
                                          folder: folder, date: date)
    }
}

extension Dataset {
    /// The same images with only the tasks `indices` (sharing the cache), for work on some tasks.
    public func restricted(to indices: [Int]) -> Dataset {
        replacingTasks(indices.map { tasks[$0] })
    }
}
