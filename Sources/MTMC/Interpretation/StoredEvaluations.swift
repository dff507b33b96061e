import Engine
import Foundation

/// The last evaluation's outputs in a checkpoint, so that interpretation (`show confused`, `report`,
/// `worst`, calibration) works after `open` without running the model again: per task, the raw outputs
/// `evaluation.T.logits` [N, classes] and the labels `evaluation.T.labels` [N] (whole numbers as Float32),
/// 4·(classes + 1) bytes per image (4.4 MB for 100,000 images of a 10-class task); metadata `evaluation`
/// names the phase and the tasks. Metrics are recomputed from them on opening.
public enum StoredEvaluations {
    struct Description: Codable {
        let phase: String
        let tasks: [Int]
    }

    public static func tensors(_ evaluations: [TaskEvaluation]) -> [(name: String, tensor: Tensor)] {
        evaluations.flatMap { e in
            [("evaluation.\(e.task).logits", e.logits),
             ("evaluation.\(e.task).labels", try! Tensor(shape: [e.labels.count], values: e.labels.map(Float.init)))]
        }
    }

    /// The metadata value, nil when there is nothing to store.
    public static func metadata(_ evaluations: [TaskEvaluation]) -> String? {
        guard let phase = evaluations.first?.phase else { return nil }
        // Keys sorted: the same state saved twice is the same bytes.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try? encoder.encode(Description(phase: phase, tasks: evaluations.map(\.task)))
        return data.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Rebuilds the evaluations, checking every shape and label against the checkpoint's tasks; throws the reason.
    static func restore(_ json: String?, tensors: [String: Tensor], tasks: [TaskClasses]) throws -> [TaskEvaluation] {
        guard let json else { return [] }
        guard let d = try? JSONDecoder().decode(Description.self, from: Data(json.utf8)), ["val", "train"].contains(d.phase),
              Set(d.tasks).count == d.tasks.count else {
            throw CheckpointMetadataError("metadata evaluation is malformed")
        }
        return try d.tasks.map { t in
            guard tasks.indices.contains(t) else { throw CheckpointMetadataError("metadata evaluation names task \(t), which the checkpoint does not have") }
            let k = tasks[t].classes.count
            guard let logits = tensors["evaluation.\(t).logits"], let labels = tensors["evaluation.\(t).labels"],
                  logits.rank == 2, logits.shape[1] == k, labels.shape == [logits.shape[0]], logits.firstNonFinite == nil else {
                throw CheckpointMetadataError("evaluation of task \(tasks[t].name): missing, or shapes that do not fit its \(k) classes")
            }
            let values = labels.scalars
            guard values.allSatisfy({ $0 >= 0 && $0 < Float(k) && $0 == $0.rounded() }) else {
                throw CheckpointMetadataError("evaluation of task \(tasks[t].name): a label outside its \(k) classes")
            }
            let m = TaskEvaluation.metrics(logits: logits, labels: values.map { Int($0) })
            return TaskEvaluation(task: t, taskName: tasks[t].name, classes: tasks[t].classes, phase: d.phase, loss: m.loss,
                                  top1: m.top1, top2: m.top2, confusion: m.confusion, logits: logits, labels: values.map { Int($0) })
        }
    }

    /// Whether a stored evaluation describes `dataset`: its task is there by name with the same classes,
    /// and the split it evaluated holds the same number of images with the same labels in the same order
    /// (images are in path order, so the rows of the stored outputs are those images).
    public static func fits(_ evaluation: TaskEvaluation, _ dataset: Dataset) -> Bool {
        guard let task = dataset.tasks.first(where: { $0.name == evaluation.taskName }), task.classes == evaluation.classes else { return false }
        let samples = evaluation.phase == "train" ? task.train : task.val
        return samples.count == evaluation.labels.count && zip(samples, evaluation.labels).allSatisfy { $0.label == $1 }
    }
}
