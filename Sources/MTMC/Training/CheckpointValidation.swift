import Engine
import Foundation

/// Checks of a checkpoint's metadata against what a user could have made with the shell: every field of
/// a file is hostile, so each is validated before anything is built from it (a class count drives the size
/// of a head, an epoch counter is incremented, calibration tables are indexed by class).
extension Checkpoint {
    /// The most tasks a checkpoint may declare (each is a head, evaluated once per prediction).
    static let maximumTasks = 1000

    /// Problems with tasks and classes: none, empty or repeated names, names that cannot be file names, and
    /// class counts that the classifier tensors in the file do not have (so a count cannot make a head larger than the file).
    static func taskProblems(_ tasks: [TaskClasses], tensors: [String: Tensor]) -> [String] {
        guard !tasks.isEmpty, tasks.count <= maximumTasks else { return ["metadata tasks lists \(tasks.count) tasks (1 to \(maximumTasks) allowed)"] }
        if Set(tasks.map(\.name)).count != tasks.count || tasks.contains(where: { $0.name.isEmpty }) {
            return ["metadata tasks has empty or repeated task names"]
        }
        // Names become parts of file names (plots, logs): one that could leave its folder is refused here.
        for task in tasks {
            if let problem = fileNameProblem(task.name) { return ["metadata tasks: task name \(String(reflecting: task.name)) \(problem), so it cannot name a file"] }
            for name in task.classes {
                if let problem = fileNameProblem(name) {
                    return ["metadata tasks: class name \(String(reflecting: name)) of task \(task.name) \(problem), so it cannot name a file"]
                }
            }
        }
        var problems: [String] = []
        for (t, task) in tasks.enumerated() {
            if task.classes.isEmpty || Set(task.classes).count != task.classes.count || task.classes.contains(where: \.isEmpty) {
                problems.append("task \(task.name) has no classes, or empty or repeated class names")
                continue
            }
            let rows = tensors["heads.\(t).classifier.weight"]?.shape.first
            if rows != task.classes.count {
                problems.append("task \(task.name) lists \(task.classes.count) classes but heads.\(t).classifier.weight has "
                                + (rows.map { "\($0) rows" } ?? "no tensor"))
            }
        }
        return problems
    }

    /// Problems with the training history: records must be epochs this checkpoint could have trained.
    static func historyProblems(_ history: [EpochRecord], taskCount: Int, epochs: Int) -> [String] {
        let bad = history.first { r in
            !SettingRanges.epochsCompleted.contains(r.epoch) || r.epoch > epochs || r.tasks.count != taskCount
                || r.steps < 0 || r.plannedSteps < 0 || r.steps > r.plannedSteps
                || r.tasks.contains { $0.images < 0 || $0.correct < 0 || $0.correct > $0.images || !$0.lossSum.isFinite || !$0.seconds.isFinite }
        }
        return bad.map { ["metadata history has an impossible record for epoch \($0.epoch)"] } ?? []
    }

    /// Decodes and checks calibration tables: each for a task of the checkpoint, with its classes in order,
    /// one table per class, one entry per precision level, finite numbers. Tables in the legacy form
    /// (thresholds and supports only, without the robust precision estimate) are `leftOut`: the
    /// model is still worth opening, its calibration is not.
    public static func calibrationTables(_ json: String?, tasks: [TaskClasses]) throws -> (tables: [TaskCalibration], leftOut: Bool) {
        guard let json else { return ([], false) }
        guard let tables = try? JSONDecoder().decode([TaskCalibration].self, from: Data(json.utf8)) else {
            if (try? JSONDecoder().decode([LegacyTaskCalibration].self, from: Data(json.utf8))) != nil { return ([], true) }
            throw CheckpointMetadataError("metadata calibration is malformed")
        }
        for calibration in tables {
            guard let task = tasks.first(where: { $0.name == calibration.task }) else {
                throw CheckpointMetadataError("metadata calibration is for task \(calibration.task), which the checkpoint does not have")
            }
            let levels = precisionLevels.count
            guard calibration.classes == task.classes, calibration.tables.count == task.classes.count,
                  calibration.tables.allSatisfy({ $0.levels.count == levels && $0.thresholds.allSatisfy { $0?.isFinite ?? true } }),
                  calibration.temperature.isFinite, calibration.temperature > 0 else {
                throw CheckpointMetadataError("metadata calibration of task \(task.name) does not match its classes or precision levels")
            }
        }
        guard Set(tables.map(\.task)).count == tables.count else { throw CheckpointMetadataError("metadata calibration repeats a task") }
        return (tables, false)
    }
}

/// The legacy calibration form of checkpoints: per class, thresholds and supports per level.
private struct LegacyTaskCalibration: Decodable {
    struct Table: Decodable {
        let thresholds: [Double?]
        let support: [Int]
    }
    let task: String
    let classes: [String]
    let tables: [Table]
}

/// A reason a checkpoint's metadata is refused; `open` prefixes the file.
struct CheckpointMetadataError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension Architecture {
    /// The architecture a checkpoint's metadata names; nil when unknown.
    init?(metadata m: [String: String]) {
        switch m["architecture"] {
        case "tiny": self = .tiny
        case "darknet": self = .darknet
        case "resnet18": self = .resnet18(zeroGamma: m["zero_gamma"] == "true", resnetD: m["resnet_d"] == "true")
        default: return nil
        }
    }
}
