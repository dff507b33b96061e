import Engine
import Foundation
import Vision

/// A task's name and classes, as a checkpoint records them.
public struct TaskClasses: Codable, Equatable {
    public let name: String
    public let classes: [String]

    public init(name: String, classes: [String]) {
        self.name = name
        self.classes = classes
    }
}

/// Checkpoints (DESIGN.md §5): a safetensors file with PyTorch-style tensor names (`backbone.…`, `heads.<t>.…`),
/// per-task batch-norm statistics (`task_stats.<t>.…`), SGD momentum (`optimizer.momentum_buffer.…`), and in the
/// metadata: format version, architecture, input size, normalisation, tasks and classes, settings, epoch,
/// history and, when present, calibration. Written atomically.
public struct Checkpoint {
    public static let format = "mtmc-checkpoint"
    public static let formatVersion = 1

    public var architecture: Architecture
    public var tasks: [TaskClasses]
    public var settings: TrainingSettings
    public var normalization: Normalization
    public var sharedStatistics: Bool
    public var epochsCompleted: Int
    public var history: [EpochRecord]
    /// Calibration tables as JSON, when calibrated.
    public var calibration: String?
    public var modelTensors: [String: Tensor]
    public var optimizerState: [String: Tensor]
    /// With `set ema`: the weights training goes on from (`training.<name>`; the model tensors hold the average)
    /// and how many updates the average has had.
    public var trainingTensors: [String: Tensor] = [:]
    public var averageUpdates: Int?

    /// Writes the trainer's model, optimizer and counters.
    public static func save(trainer: Trainer, tasks: [TaskClasses], calibration: String?, to path: String) throws {
        let model = trainer.model
        var tensors = model.checkpointTensors()
        tensors += trainer.optimizer.state().map { ("optimizer." + $0.name, $0.tensor) }
        tensors += (trainer.trainingWeights ?? []).map { ("training." + $0.name, $0.tensor) }
        var metadata: [String: String] = [
            "format": format,
            "format_version": String(formatVersion),
            "architecture": model.architecture.name,
            "input_size": "\(trainer.settings.inputWidth)x\(trainer.settings.inputHeight)",
            "normalization": json(["mean": trainer.normalization.mean, "std": trainer.normalization.std]),
            "tasks": json(tasks),
            "settings": json(trainer.settings),
            "epoch": String(trainer.epochsCompleted),
            "history": json(trainer.history),
            "bn_statistics": model.sharedStatistics ? "shared" : "per-task",
        ]
        if case .resnet18(let zeroGamma, let resnetD) = model.architecture {
            metadata["zero_gamma"] = String(zeroGamma)
            metadata["resnet_d"] = String(resnetD)
        }
        if let calibration { metadata["calibration"] = calibration }
        if let average = trainer.average { metadata["ema_updates"] = String(average.updates) }
        try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Reads and validates a checkpoint; a truncated or tampered file, or one that is not an mtmc checkpoint,
    /// is refused with a message naming the file and what is wrong.
    public static func open(_ path: String) throws -> Checkpoint {
        let file = try SafeTensorsFile.read(from: path)
        func fail(_ why: String) -> EngineError { EngineError("\(path): not a usable mtmc checkpoint: \(why)") }
        let m = file.metadata
        guard m["format"] == format else { throw fail("metadata has no format \"\(format)\" (is it a plain state dict? use import)") }
        guard let version = m["format_version"].flatMap(Int.init), version <= formatVersion else {
            throw fail("format version \(m["format_version"] ?? "none") is newer than this mtmc understands (\(formatVersion))")
        }
        func decode<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let text = m[key], let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
                throw fail("metadata \(key) is missing or malformed")
            }
            return value
        }
        let tasks = try decode("tasks", [TaskClasses].self)
        guard !tasks.isEmpty, tasks.allSatisfy({ !$0.classes.isEmpty }) else { throw fail("metadata tasks lists no classes") }
        let settings = try decode("settings", TrainingSettings.self)
        let norm = try decode("normalization", [String: [Float]].self)
        guard let mean = norm["mean"], let std = norm["std"], mean.count == 3, std.count == 3 else { throw fail("metadata normalization is malformed") }
        let architecture: Architecture
        switch m["architecture"] {
        case "tiny": architecture = .tiny
        case "darknet": architecture = .darknet
        case "resnet18": architecture = .resnet18(zeroGamma: m["zero_gamma"] == "true", resnetD: m["resnet_d"] == "true")
        default: throw fail("unknown architecture \(m["architecture"] ?? "none")")
        }
        guard let epoch = m["epoch"].flatMap(Int.init), epoch >= 0 else { throw fail("metadata epoch is missing or malformed") }
        var model: [String: Tensor] = [:], optimizer: [String: Tensor] = [:], training: [String: Tensor] = [:]
        for (name, tensor) in file.tensors {
            if name.hasPrefix("optimizer.") {
                optimizer[String(name.dropFirst("optimizer.".count))] = tensor
            } else if name.hasPrefix("training.") {
                training[String(name.dropFirst("training.".count))] = tensor
            } else {
                model[name] = tensor
            }
        }
        var checkpoint = Checkpoint(architecture: architecture, tasks: tasks, settings: settings, normalization: Normalization(mean: mean, std: std),
                          sharedStatistics: m["bn_statistics"] == "shared", epochsCompleted: epoch,
                          history: (try? decode("history", [EpochRecord].self)) ?? [], calibration: m["calibration"],
                          modelTensors: model, optimizerState: optimizer)
        checkpoint.trainingTensors = training
        checkpoint.averageUpdates = m["ema_updates"].flatMap(Int.init)
        return checkpoint
    }

    /// A trainer holding the checkpoint's model, optimizer state and counters.
    public func makeTrainer() throws -> Trainer {
        let model = MultiTaskModel(architecture: architecture, classesPerTask: tasks.map(\.classes.count), seed: settings.seed)
        model.sharedStatistics = sharedStatistics
        try model.loadCheckpointTensors(modelTensors)
        let trainer = Trainer(model: model, settings: settings)
        trainer.normalization = normalization
        try trainer.optimizer.loadState(optimizerState)
        trainer.restore(epochsCompleted: epochsCompleted, history: history)
        if let updates = averageUpdates { trainer.average = WeightAverage(model.checkpointTensors(), updates: updates) }
        if !trainingTensors.isEmpty {
            // Checked now, so a damaged file fails at open rather than at the next train.
            let check = MultiTaskModel(architecture: architecture, classesPerTask: tasks.map(\.classes.count), seed: settings.seed)
            try check.loadCheckpointTensors(trainingTensors)
            trainer.trainingWeights = check.checkpointTensors()
        }
        return trainer
    }

    /// The differences between the checkpoint's tasks and classes and a dataset's, one line each; empty when they match.
    public static func differences(_ saved: [TaskClasses], _ loaded: [TaskClasses]) -> [String] {
        var lines: [String] = []
        let savedNames = saved.map(\.name), loadedNames = loaded.map(\.name)
        if savedNames != loadedNames {
            lines.append("tasks: checkpoint has \(savedNames.joined(separator: ", ")); dataset has \(loadedNames.joined(separator: ", "))")
        }
        for task in saved {
            guard let other = loaded.first(where: { $0.name == task.name }), other.classes != task.classes else { continue }
            let missing = task.classes.filter { !other.classes.contains($0) }, extra = other.classes.filter { !task.classes.contains($0) }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("only in checkpoint: " + missing.joined(separator: ", ")) }
            if !extra.isEmpty { parts.append("only in dataset: " + extra.joined(separator: ", ")) }
            if parts.isEmpty { parts.append("same classes in another order") }
            lines.append("task \(task.name): " + parts.joined(separator: "; "))
        }
        return lines
    }
}
