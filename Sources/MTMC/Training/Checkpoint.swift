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
    /// The same tables decoded and checked against the tasks and classes; empty when uncalibrated.
    public var calibrationTables: [TaskCalibration] = []
    /// The checkpoint has calibration in an older form, which was not read (see `calibrationTables(_:tasks:)`).
    public var calibrationLeftOut = false
    public var modelTensors: [String: Tensor]
    public var optimizerState: [String: Tensor]
    /// The last evaluation saved with the model (StoredEvaluations), empty when none was.
    public var evaluations: [TaskEvaluation] = []
    /// With `set ema`: the weights training goes on from (`training.<name>`; the model tensors hold the average)
    /// and how many updates the average has had.
    public var trainingTensors: [String: Tensor] = [:]
    public var averageUpdates: Int?

    /// Writes the trainer's model, optimizer and counters.
    public static func save(trainer: Trainer, tasks: [TaskClasses], calibration: String?, evaluations: [TaskEvaluation] = [],
                            to path: String) throws {
        try writeAtomically(encoded(trainer: trainer, tasks: tasks, calibration: calibration, evaluations: evaluations), to: path)
    }

    /// The bytes `save` writes.
    public static func encoded(trainer: Trainer, tasks: [TaskClasses], calibration: String?, evaluations: [TaskEvaluation] = []) throws -> Data {
        let model = trainer.model
        var tensors = model.checkpointTensors()
        tensors += trainer.optimizer.state().map { ("optimizer." + $0.name, $0.tensor) }
        tensors += StoredEvaluations.tensors(evaluations)
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
        metadata["evaluation"] = StoredEvaluations.metadata(evaluations)
        if let average = trainer.average { metadata["ema_updates"] = String(average.updates) }
        return try SafeTensorsFile.encode(tensors, metadata: metadata)
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Reads and validates a checkpoint; a truncated or tampered file, or one that is not an mtmc checkpoint,
    /// is refused with a message naming the file and what is wrong.
    public static func open(_ path: String) throws -> Checkpoint {
        try decode(try readBytes(path), source: path)
    }

    /// The checkpoint file's bytes, read into memory once (never mapped: another program may rewrite or truncate
    /// it while it is parsed); what `open` and serving validate, parse and hash.
    public static func readBytes(_ path: String) throws -> Data {
        do { return try readRegularFile(path) } catch let error as FileReadError { throw EngineError(error.description) }
    }

    /// Validates the bytes of a checkpoint; `source` names it in errors (the fuzzing entry point).
    public static func decode(_ data: Data, source path: String) throws -> Checkpoint {
        let file = try SafeTensorsFile.decode(data, source: path)
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
        var model: [String: Tensor] = [:], optimizer: [String: Tensor] = [:], stored: [String: Tensor] = [:]
        var training: [String: Tensor] = [:]
        for (name, tensor) in file.tensors {
            if name.hasPrefix("optimizer.") {
                optimizer[String(name.dropFirst("optimizer.".count))] = tensor
            } else if name.hasPrefix("training.") {
                training[String(name.dropFirst("training.".count))] = tensor
            } else if name.hasPrefix("evaluation.") {
                stored[name] = tensor
            } else {
                model[name] = tensor
            }
        }
        let tasks = try decode("tasks", [TaskClasses].self)
        if let problem = taskProblems(tasks, tensors: model).first { throw fail(problem) }
        let settings = try decode("settings", TrainingSettings.self)
        guard settings.outOfRange.isEmpty else { throw fail("saved settings outside what set allows: " + settings.outOfRange.joined(separator: ", ")) }
        let norm = try decode("normalization", [String: [Float]].self)
        guard let mean = norm["mean"], let std = norm["std"], mean.count == 3, std.count == 3,
              (mean + std).allSatisfy(\.isFinite), std.allSatisfy({ $0 > 0 }) else { throw fail("metadata normalization is malformed") }
        guard let architecture = Architecture(metadata: m) else { throw fail("unknown architecture \(m["architecture"] ?? "none")") }
        guard let epoch = m["epoch"].flatMap(Int.init), SettingRanges.epochsCompleted.contains(epoch) else {
            throw fail("metadata epoch is missing or out of range")
        }
        let history = m["history"] == nil ? [] : try decode("history", [EpochRecord].self)
        if let problem = historyProblems(history, taskCount: tasks.count, epochs: epoch).first { throw fail(problem) }
        let calibration: (tables: [TaskCalibration], leftOut: Bool)
        let evaluations: [TaskEvaluation]
        do {
            calibration = try Checkpoint.calibrationTables(m["calibration"], tasks: tasks)
            evaluations = try StoredEvaluations.restore(m["evaluation"], tensors: stored, tasks: tasks)
        } catch let error as CheckpointMetadataError {
            throw fail(error.reason)
        }
        var averageUpdates: Int?
        if let text = m["ema_updates"] {
            guard let n = Int(text), SettingRanges.epochsCompleted.contains(n) else { throw fail("metadata ema_updates is malformed or out of range") }
            averageUpdates = n
        }
        var checkpoint = Checkpoint(architecture: architecture, tasks: tasks, settings: settings, normalization: Normalization(mean: mean, std: std),
                                    sharedStatistics: m["bn_statistics"] == "shared", epochsCompleted: epoch, history: history,
                                    calibration: m["calibration"], calibrationTables: calibration.tables, calibrationLeftOut: calibration.leftOut,
                                    modelTensors: model, optimizerState: optimizer, evaluations: evaluations)
        checkpoint.trainingTensors = training
        checkpoint.averageUpdates = averageUpdates
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
