import Engine
import Vision

/// Why the model says what it says about one image, per task: the class activation map of the
/// predicted class (or of a chosen one), the image as the model saw it, and the class's scores.
public struct ImageExplanation {
    public let task: Int
    public let map: ClassActivationMap
    /// The image at the model's input size.
    public let view: RGBImage
    public let score: ClassScore
}

/// Explains `image` for each task in `tasks` (nil: every task); `classIndex` picks the class instead of the prediction.
public func explain(_ image: RGBImage, model: MultiTaskModel, taskClasses: [TaskClasses], tasks: [Int]? = nil, classIndex: Int? = nil,
                    inputSize: (width: Int, height: Int), normalization: Normalization,
                    calibration: [TaskCalibration]) throws -> [ImageExplanation] {
    let cache = Dataset.cacheSize(forInput: inputSize)
    let view = resized(resized(image, width: cache.width, height: cache.height), width: inputSize.width, height: inputSize.height)
    let input = evaluationInput([image], inputSize: inputSize, normalization: normalization)
    let chosen = tasks ?? Array(0..<model.taskCount)
    return try zip(chosen, try gradCAMs(model, image: input, tasks: chosen, classIndex: classIndex)).map { t, map in
        let classes = taskClasses[t].classes
        let scores = classScores(logits: map.logits, classes: classes, calibration: calibration.first { $0.task == taskClasses[t].name })
        return ImageExplanation(task: t, map: map, view: view, score: scores.first { $0.classIndex == map.classIndex }!)
    }
}
