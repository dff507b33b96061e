import Engine
import Foundation
import Vision

/// One task's evaluation (DESIGN.md §2): loss, top-1, top-2, confusion matrix (rows truth, columns
/// prediction), and the raw outputs (logits) that calibration uses.
public struct TaskEvaluation {
    public let task: Int
    public let taskName: String
    public let classes: [String]
    /// "val" or "train".
    public let phase: String
    public let loss: Double
    public let top1: Double
    public let top2: Double
    public let confusion: [[Int]]
    /// Raw outputs [N, classes] in sample order, and the true labels.
    public let logits: Tensor
    public let labels: [Int]

    public init(task: Int, taskName: String, classes: [String], phase: String, loss: Double, top1: Double, top2: Double,
                confusion: [[Int]], logits: Tensor, labels: [Int]) {
        self.task = task
        self.taskName = taskName
        self.classes = classes
        self.phase = phase
        self.loss = loss
        self.top1 = top1
        self.top2 = top2
        self.confusion = confusion
        self.logits = logits
        self.labels = labels
    }

    /// Rows of the confusion matrix divided by their sums (0 for a class with no samples).
    public var ratios: [[Double]] {
        confusion.map { row in
            let total = row.reduce(0, +)
            return row.map { total == 0 ? 0 : Double($0) / Double(total) }
        }
    }

    /// Recall per class; nil for a class with no samples.
    public var recall: [Double?] {
        confusion.indices.map { c in
            let total = confusion[c].reduce(0, +)
            return total == 0 ? nil : Double(confusion[c][c]) / Double(total)
        }
    }

    /// Precision per class; nil (undefined) for a class never predicted.
    public var precision: [Double?] {
        confusion.indices.map { c in
            let predicted = confusion.reduce(0) { $0 + $1[c] }
            return predicted == 0 ? nil : Double(confusion[c][c]) / Double(predicted)
        }
    }

    /// Metrics of logits [N, K] against labels: mean cross-entropy, top-1, top-2 (fractions) and the confusion matrix.
    public static func metrics(logits: Tensor, labels: [Int]) -> (loss: Double, top1: Double, top2: Double, confusion: [[Int]]) {
        let k = logits.shape[1], n = labels.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var loss = 0.0, top1 = 0, top2 = 0
        let values = logits.scalars
        for (row, label) in labels.enumerated() {
            let z = values[(row * k)..<((row + 1) * k)].map(Double.init)
            let top = z.max()!
            let logSum = top + log(z.reduce(0) { $0 + exp($1 - top) })
            loss += logSum - z[label]
            // Ties go to the lower class index, as argmax does.
            let ranked = z.indices.sorted { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }
            confusion[label][ranked[0]] += 1
            if ranked[0] == label { top1 += 1 }
            if ranked.prefix(2).contains(label) { top2 += 1 }
        }
        let count = Double(max(n, 1))
        return (loss / count, Double(top1) / count, Double(top2) / count, confusion)
    }
}

/// Evaluates every task of `dataset` on its val or train images (resized, no augmentation) with the statistics
/// the model reads for that task (its own, or the shared set). `isCancelled` is polled between batches; a cancelled evaluation throws.
public func evaluate(_ model: MultiTaskModel, on dataset: Dataset, phase: String, settings: TrainingSettings,
                     normalization: Normalization = .imageNet, isCancelled: () -> Bool = { false },
                     progress: (_ task: Int, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> [TaskEvaluation] {
    model.setTraining(false)
    var results: [TaskEvaluation] = []
    for (t, task) in dataset.tasks.enumerated() {
        let samples = phase == "train" ? task.train : task.val
        let plan = stride(from: 0, to: samples.count, by: settings.batchSize).map {
            PlannedBatch(task: t, samples: Array(samples[$0..<min($0 + settings.batchSize, samples.count)]))
        }
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (settings.inputWidth, settings.inputHeight),
                                     augmentation: nil, normalization: normalization, seed: 0)
        var logits: [Float] = []
        var labels: [Int] = []
        var done = 0
        while let batch = pipeline.next() {
            if isCancelled() { throw EngineError("evaluation cancelled during task \(task.name) after \(done) of \(samples.count) images") }
            let output = try GradMode.withoutGradients { try model(Variable(batch.images), task: t) }
            logits += output.value.scalars
            labels += batch.labels
            done += batch.labels.count
            progress(t, done, samples.count)
        }
        let outputs = try Tensor(shape: [labels.count, task.classes.count], values: logits)
        let m = TaskEvaluation.metrics(logits: outputs, labels: labels)
        results.append(TaskEvaluation(task: t, taskName: task.name, classes: task.classes, phase: phase, loss: m.loss,
                                      top1: m.top1, top2: m.top2, confusion: m.confusion, logits: outputs, labels: labels))
    }
    return results
}
