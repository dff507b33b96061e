import Engine
import Foundation
import Vision

/// What an ONNX export holds besides the weights: everything another program needs to prepare images and read
/// the outputs as `predict` does (metadata_props, values as JSON).
public struct ONNXExportDescription {
    public var tasks: [TaskClasses]
    public var inputSize: (width: Int, height: Int)
    public var normalization: Normalization
    /// Tables of tasks whose classes match; others are left out, as `predict` leaves them unapplied.
    public var calibration: [TaskCalibration]
    public var mtmcVersion: String
    /// SHA-256 of the checkpoint the model is (or, at the prompt, would be saved as).
    public var checkpointSHA256: String

    public init(tasks: [TaskClasses], inputSize: (width: Int, height: Int), normalization: Normalization,
                calibration: [TaskCalibration], mtmcVersion: String, checkpointSHA256: String) {
        self.tasks = tasks
        self.inputSize = inputSize
        self.normalization = normalization
        self.calibration = calibration
        self.mtmcVersion = mtmcVersion
        self.checkpointSHA256 = checkpointSHA256
    }
}

/// The opsets an export can target, with the IR version each needs (onnx's release table).
public let onnxIRVersions: [Int: Int] = [11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10]

/// The whole multi-task model as one ONNX graph: input `image` float32 [N, 3, H, W], RGB in 0–1 at the input
/// size; normalisation inside; per task an output named after it (raw outputs) and `TASK_softmax`. With per-task
/// statistics each task has its own folded backbone, as `predict` runs the backbone once per task.
public func onnxExport(_ model: MultiTaskModel, _ description: ONNXExportDescription, opset: Int = 17) throws -> ONNXModel {
    guard let irVersion = onnxIRVersions[opset] else {
        throw EngineError("export onnx: opset \(opset) is not supported; use one of \(onnxIRVersions.keys.sorted().map(String.init).joined(separator: ", "))")
    }
    let tasks = description.tasks, (width, height) = description.inputSize
    guard tasks.map(\.classes.count) == model.heads.map({ $0.classifier.weight.shape[0] }) else {
        throw EngineError("export onnx: the model's heads (\(model.heads.map { String($0.classifier.weight.shape[0]) }.joined(separator: ", ")) classes) do not match its tasks")
    }
    try checkForward(model, width: width, height: height)
    var graph = ONNXGraph()
    graph.scope = "input"
    let n = description.normalization
    let mean = graph.constant("mean", dims: [1, 3, 1, 1], values: n.mean)
    let inverseStd = graph.constant("inverse_std", dims: [1, 3, 1, 1], values: n.std.map { 1 / $0 })
    // (x − mean)·(1/std), the products `predict` computes.
    let normalized = graph.add("Mul", [graph.add("Sub", ["image", mean]), inverseStd])
    var features: [String] = []
    for task in tasks.indices {
        if model.sharedStatistics && task > 0 { features.append(features[0]); continue }
        model.selectStatistics(task)
        graph.scope = model.sharedStatistics ? "shared" : "t\(task)"
        features.append(try graph.backbone(model.backbone, input: normalized))
    }
    for (index, task) in tasks.enumerated() {
        graph.scope = "head\(index)"
        let raw = try graph.head(model.heads[index], features: features[index], output: task.name)
        graph.add("Softmax", [raw], [("axis", .int(1))], output: task.name + "_softmax")
    }
    var onnx = ONNXModel(irVersion: irVersion, opset: opset, producerVersion: description.mtmcVersion, graphName: "mtmc")
    (onnx.nodes, onnx.initializers) = (graph.nodes, graph.initializers)
    onnx.inputs = [ONNXValue(name: "image", dims: [.named("N"), .size(3), .size(height), .size(width)])]
    onnx.outputs = tasks.flatMap { task in
        [task.name, task.name + "_softmax"].map { ONNXValue(name: $0, dims: [.named("N"), .size(task.classes.count)]) }
    }
    try checkNames(onnx)
    onnx.metadata = onnxMetadata(description, statistics: model.sharedStatistics ? "shared" : "per-task",
                                 architecture: model.architecture.description)
    return onnx
}

/// Runs the model once on a blank image: an input size the backbone cannot take fails here, with mtmc's reason.
private func checkForward(_ model: MultiTaskModel, width: Int, height: Int) throws {
    model.setTraining(false)
    do {
        try GradMode.withoutGradients {
            for task in 0..<model.taskCount { _ = try model(Variable(Tensor(zeros: [1, 3, height, width])), task: task) }
        }
    } catch {
        throw EngineError("export onnx: the model cannot run at its input size \(width)×\(height): \(error)")
    }
}

/// Every value in a graph needs its own name: a task called `image`, or one called `A_softmax` beside a task `A`, cannot be exported.
private func checkNames(_ model: ONNXModel) throws {
    var seen: Set<String> = ["image"]
    for name in model.initializers.map(\.name) + model.nodes.flatMap(\.outputs) where !seen.insert(name).inserted {
        throw EngineError("export onnx: two values would be named \(jsonQuoted(name)) (task names must differ from \"image\" and from other tasks' outputs \"TASK_softmax\")")
    }
}
