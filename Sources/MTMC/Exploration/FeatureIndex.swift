import Engine
import Foundation
import Vision

/// Backbone features of one task's images (train, then val), each scaled to unit length so that a dot
/// product is the cosine similarity. Computed once per model state and dataset; `matches` says whether
/// the model still has the weights it was computed with.
public struct FeatureIndex {
    public let task: Int
    /// The images, in row order.
    public let samples: [Sample]
    /// How many of `samples` (the first ones) are training images.
    public let trainCount: Int
    public let dimension: Int
    /// [samples × dimension], rows of unit length.
    public let features: [Float]
    /// A checksum of the backbone's weights and of the task's statistics when computed, and the cache.
    let weightsKey: Double
    let cache: ObjectIdentifier

    /// Computes the features of every image of task `t` in evaluation batches (as `eval` views them).
    public static func build(_ model: MultiTaskModel, dataset: Dataset, task t: Int, settings: TrainingSettings,
                             normalization: Normalization, isCancelled: () -> Bool = { false },
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> FeatureIndex {
        let task = dataset.tasks[t], samples = task.train + task.val
        let plan = stride(from: 0, to: samples.count, by: settings.batchSize).map {
            PlannedBatch(task: t, samples: Array(samples[$0..<min($0 + settings.batchSize, samples.count)]))
        }
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (settings.inputWidth, settings.inputHeight),
                                     augmentation: nil, normalization: normalization, seed: 0)
        model.setTraining(false)
        model.selectStatistics(t)
        var features: [Float] = []
        features.reserveCapacity(samples.count * model.backbone.featureCount)
        while let batch = pipeline.next() {
            if isCancelled() { throw Cancelled(what: "stopped after \(features.count / model.backbone.featureCount) of \(samples.count) images") }
            features += try GradMode.withoutGradients { try model.backbone(Variable(batch.images)).value.scalars }
            progress(features.count / model.backbone.featureCount, samples.count)
        }
        let d = model.backbone.featureCount
        features = unitRows(features, dimension: d)
        return FeatureIndex(task: t, samples: samples, trainCount: task.train.count, dimension: d, features: features,
                            weightsKey: weightsChecksum(model, task: t), cache: ObjectIdentifier(dataset.cache))
    }

    /// Whether this index still describes `model` (same weights and statistics) on `dataset` (same cache).
    public func matches(_ model: MultiTaskModel, dataset: Dataset) -> Bool {
        cache == ObjectIdentifier(dataset.cache) && weightsKey == weightsChecksum(model, task: task)
    }

    /// The `count` rows most similar to a unit-length `query`, most similar first (ties: lower row).
    public func nearest(_ query: [Float], count: Int) -> [(row: Int, cosine: Float)] {
        var scored: [(row: Int, cosine: Float)] = []
        scored.reserveCapacity(samples.count)
        features.withUnsafeBufferPointer { f in
            for row in 0..<samples.count {
                var dot: Float = 0
                for j in 0..<dimension { dot += f[row * dimension + j] * query[j] }
                scored.append((row, dot))
            }
        }
        return Array(scored.sorted { $0.cosine != $1.cosine ? $0.cosine > $1.cosine : $0.row < $1.row }.prefix(count))
    }
}

/// The unit-length backbone features of one decoded image under task `t`'s statistics, prepared as
/// `predict` prepares images.
public func queryFeatures(_ model: MultiTaskModel, image: RGBImage, task t: Int, inputSize: (width: Int, height: Int),
                          normalization: Normalization) throws -> [Float] {
    let batch = evaluationInput([image], inputSize: inputSize, normalization: normalization)
    model.setTraining(false)
    model.selectStatistics(t)
    let features = try GradMode.withoutGradients { try model.backbone(Variable(batch)).value.scalars }
    return unitRows(features, dimension: features.count)
}

/// Each row of `x` ([rows × d]) scaled to unit length (a zero row stays zero), so that a dot product is a cosine.
func unitRows(_ x: [Float], dimension d: Int) -> [Float] {
    var x = x
    for row in 0..<(x.count / max(1, d)) {
        var sum: Float = 0
        for j in 0..<d { sum += x[row * d + j] * x[row * d + j] }
        let scale = sum > 0 ? 1 / sum.squareRoot() : 0
        for j in 0..<d { x[row * d + j] *= scale }
    }
    return x
}

/// A sum over every backbone weight and buffer under task `t`'s statistics, weighted by position, so that
/// training, importing or opening other weights changes it.
private func weightsChecksum(_ model: MultiTaskModel, task t: Int) -> Double {
    model.selectStatistics(t)
    var total = 0.0
    for (index, entry) in model.backbone.namedVariables(prefix: "backbone").enumerated() {
        let scalars = entry.variable.value.scalars
        var part = 0.0
        for (i, v) in scalars.enumerated() { part += Double(v) * Double(i % 7 + 1) }
        total += part * Double(index + 1)
    }
    return total
}
