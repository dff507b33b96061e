import Engine
import Foundation
import Vision

/// One unlabelled image worth labelling for one task: what the model predicts for it and how unsure it is.
public struct LabelSuggestion: Equatable {
    public let path: String
    /// The path as the user named it (the folder typed, then the file's path inside it).
    public let shown: String
    public let task: String
    /// The class with the highest raw output, as `predict` reports it.
    public let predicted: String
    /// The predicted class's calibrated confidence when the task is calibrated, its softmax otherwise.
    public let confidence: Double
    /// The gap between the two highest confidences.
    public let margin: Double
    public let uncertainty: Double
}

/// Chooses the images of a pool to label next for one task: the `candidatesPerPick` × `count` most uncertain
/// images, then `count` of those spread out over the backbone's feature space by greedy k-center, seeded by the
/// most uncertain, so that near copies of one uncertain image are not all suggested.
public struct SuggestionRanking {
    public var measure: UncertaintyMeasure = .margin
    public var count = 10
    public var candidatesPerPick = 8

    public init(measure: UncertaintyMeasure = .margin, count: Int = 10, candidatesPerPick: Int = 8) {
        self.measure = measure
        self.count = count
        self.candidatesPerPick = candidatesPerPick
    }

    /// The suggestions for task `t` among `files` (path and shown name), most uncertain first, and the files that
    /// could not be read (with why). Images are prepared as `predict` prepares them, `batchSize` at a time;
    /// `isCancelled` is polled between batches.
    public func suggest(_ files: [(path: String, shown: String)], model: MultiTaskModel, task t: Int, classes: TaskClasses,
                        calibration: TaskCalibration?, settings: TrainingSettings, normalization: Normalization, pixelLimit: Int,
                        batchSize: Int = 64, isCancelled: () -> Bool = { false },
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> (suggestions: [LabelSuggestion], failures: [String]) {
        let pool = try PoolOutputs.compute(files, model: model, task: t, classes: classes, calibration: calibration, settings: settings,
                                           normalization: normalization, pixelLimit: pixelLimit, batchSize: batchSize,
                                           isCancelled: isCancelled, progress: progress)
        let uncertainty = pool.scores.map(measure.uncertainty)
        let ranked = pool.scores.indices.sorted { uncertainty[$0] != uncertainty[$1] ? uncertainty[$0] > uncertainty[$1] : $0 < $1 }
        let candidates = Array(ranked.prefix(count * candidatesPerPick))
        let picked = kCenterSelection(features: pool.features, dimension: pool.dimension, candidates: candidates, count: count)
        let suggestions = picked.sorted().map { position -> LabelSuggestion in
            let i = candidates[position], scores = pool.scores[i]
            return LabelSuggestion(path: pool.files[i].path, shown: pool.files[i].shown, task: classes.name, predicted: scores[0].name,
                                   confidence: scores[0].confidence ?? scores[0].softmax, margin: UncertaintyMeasure.margin(scores),
                                   uncertainty: uncertainty[i])
        }
        return (suggestions, pool.failures)
    }
}

/// What the model makes of every readable image of a pool for one task: class scores and unit-length backbone
/// features, from one pass of the backbone per batch.
struct PoolOutputs {
    var files: [(path: String, shown: String)] = []
    var scores: [[ClassScore]] = []
    var features: [Float] = []
    var dimension = 0
    var failures: [String] = []

    static func compute(_ files: [(path: String, shown: String)], model: MultiTaskModel, task t: Int, classes: TaskClasses,
                        calibration: TaskCalibration?, settings: TrainingSettings, normalization: Normalization, pixelLimit: Int,
                        batchSize: Int, isCancelled: () -> Bool, progress: (Int, Int) -> Void) throws -> PoolOutputs {
        let input = (width: settings.inputWidth, height: settings.inputHeight)
        let cache = Dataset.cacheSize(forInput: input)
        let decoder = ImageDecoder(pixelLimit: pixelLimit, targetSize: cache)
        var pool = PoolOutputs()
        pool.dimension = model.backbone.featureCount
        model.setTraining(false)
        for start in stride(from: 0, to: files.count, by: batchSize) {
            if isCancelled() { throw Cancelled(what: "stopped after \(start) of \(files.count) images") }
            var images: [RGBImage] = []
            for file in files[start..<min(start + batchSize, files.count)] {
                do {
                    images.append(resized(try decoder.decode(file: file.path), width: cache.width, height: cache.height))
                    pool.files.append(file)
                } catch let error as ImageError {
                    pool.failures.append("\(file.shown): \(error.reason)")
                }
            }
            guard !images.isEmpty else { continue }
            let batch = evaluationInput(images, inputSize: input, normalization: normalization)
            model.selectStatistics(t)
            let (features, logits) = try GradMode.withoutGradients { () throws -> ([Float], [Float]) in
                let features = try model.backbone(Variable(batch.to(model.device)))
                return (features.value.scalars, try model.heads[t](features).value.scalars)
            }
            pool.features += unitRows(features, dimension: pool.dimension)
            let k = classes.classes.count
            for i in images.indices {
                pool.scores.append(classScores(logits: Array(logits[(i * k)..<((i + 1) * k)]), classes: classes.classes, calibration: calibration))
            }
            progress(min(start + batchSize, files.count), files.count)
        }
        return pool
    }
}
