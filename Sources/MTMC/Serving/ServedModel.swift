import Engine
import Foundation
import Vision

/// A checkpoint loaded once for serving: the model in evaluation mode and what answers and /model need.
/// Never changed after loading: a reload builds a new one, so a batch keeps the model it started with.
public final class ServedModel: @unchecked Sendable {
    /// The checkpoint file as given.
    public let path: String
    /// SHA-256 of the bytes the weights were parsed from (the file as it was read, once).
    public let sha256: String
    public let architecture: Architecture
    public let tasks: [TaskClasses]
    public let settings: TrainingSettings
    public let normalization: Normalization
    /// Per-task calibration tables; empty when the checkpoint has none.
    public let calibration: [TaskCalibration]
    public let epochsCompleted: Int
    /// Only the batcher's thread runs it (the engine's gradient mode is process-wide).
    let model: MultiTaskModel

    /// How the engine runs the model.
    public let context: EngineContext

    public init(path: String, context: EngineContext = EngineContext()) throws {
        let bytes = try Checkpoint.readBytes(path)
        let checkpoint = try Checkpoint.decode(bytes, source: path)
        self.path = path
        sha256 = sha256Hex(bytes)
        architecture = checkpoint.architecture
        tasks = checkpoint.tasks
        settings = checkpoint.settings
        normalization = checkpoint.normalization
        calibration = checkpoint.calibrationTables
        epochsCompleted = checkpoint.epochsCompleted
        model = try checkpoint.makeTrainer().model
        self.context = context
        model.use(context)
        model.setTraining(false)
    }

    public var inputSize: (width: Int, height: Int) { (settings.inputWidth, settings.inputHeight) }

    /// Backbone passes an image costs to be answered for every task.
    public var backbonePasses: Int { model.passesPerImage }

    /// The decoder for uploads: JPEGs far larger than the model needs decode at a reduced scale, as `predict` does.
    public func decoder(pixelLimit: Int) -> ImageDecoder {
        ImageDecoder(pixelLimit: pixelLimit, targetSize: Dataset.cacheSize(forInput: inputSize))
    }

    /// Scores of every class per image and task, as `predict` computes them, in the model's context.
    func predict(_ images: [RGBImage]) throws -> [[(task: String, scores: [ClassScore])]] {
        let logits = try context.run { try predictLogits(model, images: images, inputSize: inputSize, normalization: normalization) }
        return imageScores(logits: logits, count: images.count, tasks: tasks, calibration: calibration)
    }
}
