import Engine
import Foundation

/// Where in an image a class's score comes from: Grad-CAM (Selvaraju et al., 2017) on the backbone's
/// last feature map A (channels k, positions i): α_k = the mean over positions of ∂score/∂A_k,
/// map_i = max(0, Σ_k α_k A_k,i). The score is the class's raw output (logit), as in the paper.
public struct ClassActivationMap {
    /// Size of the feature map (the image's grid, 1/8 of its side for tiny).
    public let width: Int
    public let height: Int
    /// map_i row by row, before any scaling.
    public let values: [Float]
    public let task: Int
    public let classIndex: Int
    /// The raw outputs of every class of the task for this image.
    public let logits: [Float]

    /// The map scaled to [0, 1] by its largest value (all zeros when no position supports the class).
    public var normalized: [Float] {
        let top = values.max() ?? 0
        return top > 0 ? values.map { $0 / top } : values.map { _ in 0 }
    }
}

/// The class activation map of `image` [1, 3, H, W] (normalised as the model expects) for class
/// `classIndex` of task `task`, or for the predicted class when nil (`gradCAMs` for one task).
public func gradCAM(_ model: MultiTaskModel, image: Tensor, task: Int, classIndex: Int? = nil) throws -> ClassActivationMap {
    try gradCAMs(model, image: image, tasks: [task], classIndex: classIndex)[0]
}

/// The class activation maps of `image` [1, 3, H, W] for each task of `tasks`. The backbone runs forward once
/// for every task when the model shares its statistics (else once per task, with that task's), in evaluation
/// mode; each map's gradients flow back through its head only, to the feature map, which is all Grad-CAM reads.
/// The model's weights, statistics and gradients are as before afterwards.
public func gradCAMs(_ model: MultiTaskModel, image: Tensor, tasks: [Int], classIndex: Int? = nil) throws -> [ClassActivationMap] {
    guard image.shape.count == 4, image.shape[0] == 1 else { throw EngineError("grad-cam: one image [1, 3, H, W], got \(describe(image.shape))") }
    if let task = tasks.first(where: { $0 < 0 || $0 >= model.taskCount }) {
        throw EngineError("grad-cam: no task \(task); the model has \(model.taskCount)")
    }
    model.setTraining(false)
    defer {
        // Gradients of the weights from these passes must not reach the next optimizer step.
        for entry in model.namedParameters() { entry.variable.grad = nil }
    }
    var shared: Tensor?
    return try tasks.map { task in
        let featureMap: Tensor
        if let shared { featureMap = shared } else {
            model.selectStatistics(task)
            featureMap = try GradMode.withoutGradients { try model.backbone.featureMap(Variable(image)) }.value
            if model.sharedStatistics { shared = featureMap }
        }
        return try activationMap(model, featureMap: featureMap, task: task, classIndex: classIndex)
    }
}

/// Grad-CAM from a feature map [1, C, h, w] (one image, in whatever layout the backend computed it): the task's
/// logits from it, and the ReLU of the feature planes weighted by the mean gradient of the chosen class's logit
/// over each plane.
private func activationMap(_ model: MultiTaskModel, featureMap: Tensor, task: Int, classIndex: Int?) throws -> ClassActivationMap {
    let features = Variable(featureMap, requiresGrad: true)
    let logits = try model.heads[task](try globalAvgPool(features))
    let k = logits.shape[1], z = logits.value.scalars
    let target = classIndex ?? z.indices.reduce(0) { z[$1] > z[$0] ? $1 : $0 }
    guard target >= 0 && target < k else { throw EngineError("grad-cam: no class \(target); the task has \(k)") }
    try logits.backward(seed: oneHot([target], classes: k))
    let (channels, h, w) = (features.shape[1], features.shape[2], features.shape[3])
    let gradient = features.grad ?? Tensor(zeros: features.shape)
    let map = try GradMode.withoutGradients {
        // α [1, C]: each channel's gradient averaged over the positions.
        let alpha = try globalAvgPool(Variable(gradient))
        // The map [h·w, 1] = A [h·w, C] · αᵀ: A read image by image ([1, C, h, w] is [C, h·w]), its channels moved last.
        let planes = try featureMap.inLayout(.nchw).reshaped([channels, h * w, 1, 1])
        let positions = try swapBatchAndChannels(Variable(planes))
        return try relu(linear(try flatten(positions), alpha, nil)).value.scalars
    }
    return ClassActivationMap(width: w, height: h, values: map, task: task, classIndex: target, logits: z)
}
