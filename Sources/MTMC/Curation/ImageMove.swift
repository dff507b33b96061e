import Foundation

/// One curation action on one image's file: `relabel` moves it into another class folder of its task and split,
/// `drop` moves it out of the tree into the quarantine beside it; `undo` performs a move's reversal. A label of
/// nil means outside the dataset (the quarantine).
public struct ImageMove {
    public enum Kind: String {
        case relabel
        case drop
    }

    public let kind: Kind
    public let image: Int
    public let task: Int
    /// Absolute paths of the file before and after.
    public let from: String
    public let to: String
    public let fromLabel: Int?
    public let toLabel: Int?
    /// Whether the image lies in the task's train folder (a task without `val/` holds all its files there).
    public let inTrainFolder: Bool
    /// Whether this is the reversal of an earlier move (an undo).
    public let isUndo: Bool
    /// The image's rows of the stored evaluation by task name, kept by a drop so that its undo puts them back.
    public var evaluationRows: [String: [Float]] = [:]

    /// Moves image `image` into class `label`'s folder of the same task and split (a free name when the class
    /// folder already holds one of that name). Throws when the image is not a sample or already of that class.
    public static func relabel(_ image: Int, to label: Int, in dataset: Dataset) throws -> ImageMove {
        guard let (t, isTrain, current) = dataset.membership(of: image) else {
            throw ImageLookupError(description: "\(dataset.shownFile(image)) is not an image of the dataset now")
        }
        let task = dataset.tasks[t]
        guard label != current else {
            throw ImageLookupError(description: "\(dataset.shownFile(image)) is already of class \(task.classes[label])")
        }
        let from = dataset.files[image]
        let folder = (((from as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(task.classes[label])
        return ImageMove(kind: .relabel, image: image, task: t, from: from, to: freeName(in: folder, for: (from as NSString).lastPathComponent),
                         fromLabel: current, toLabel: label, inTrainFolder: isTrain || task.valShare != nil, isUndo: false)
    }

    /// Moves image `image` out of the tree, to the same place under the quarantine (`ROOT.quarantine/TASK/SPLIT/CLASS/FILE`).
    public static func drop(_ image: Int, in dataset: Dataset, evaluations: [TaskEvaluation]) throws -> ImageMove {
        guard let (t, isTrain, current) = dataset.membership(of: image) else {
            throw ImageLookupError(description: "\(dataset.shownFile(image)) is not an image of the dataset now")
        }
        let from = dataset.files[image]
        let target = (dataset.quarantineRoot as NSString).appendingPathComponent(dataset.shownPath(from))
        var move = ImageMove(kind: .drop, image: image, task: t, from: from,
                             to: freeName(in: (target as NSString).deletingLastPathComponent, for: (target as NSString).lastPathComponent),
                             fromLabel: current, toLabel: nil, inTrainFolder: isTrain || dataset.tasks[t].valShare != nil, isUndo: false)
        move.evaluationRows = rowsOfImage(image, evaluations, dataset)
        return move
    }

    /// The move that puts this one back: the file to where it was (a free name beside it, should another file
    /// have taken that name since), with its label and its evaluation rows.
    public func reversal() -> ImageMove {
        let folder = (from as NSString).deletingLastPathComponent, name = (from as NSString).lastPathComponent
        var back = ImageMove(kind: kind, image: image, task: task, from: to, to: freeName(in: folder, for: name), fromLabel: toLabel,
                             toLabel: fromLabel, inTrainFolder: inTrainFolder, isUndo: true)
        back.evaluationRows = evaluationRows
        return back
    }

    /// What the log and the user are told the action is: relabel, drop, undo relabel, undo drop.
    public var action: String { (isUndo ? "undo " : "") + kind.rawValue }
}

extension Dataset {
    /// The folder beside the tree that dropped files go to: `ROOT.quarantine`.
    public var quarantineRoot: String { normalizedPath(root) + ".quarantine" }
}

/// `name` in `folder` when nothing is there by that name, otherwise the first free `STEM-N.EXT` (N from 1).
func freeName(in folder: String, for name: String) -> String {
    let ext = (name as NSString).pathExtension, stem = (name as NSString).deletingPathExtension
    var candidate = (folder as NSString).appendingPathComponent(name), n = 1
    while FileStamp.current(candidate) != nil {
        candidate = (folder as NSString).appendingPathComponent("\(stem)-\(n)" + (ext.isEmpty ? "" : "." + ext))
        n += 1
    }
    return candidate
}

/// The image's row of each evaluation whose samples hold it, by task name.
func rowsOfImage(_ image: Int, _ evaluations: [TaskEvaluation], _ dataset: Dataset) -> [String: [Float]] {
    var rows: [String: [Float]] = [:]
    for e in evaluations {
        guard let task = dataset.tasks.first(where: { $0.name == e.taskName }),
              let row = (e.phase == "train" ? task.train : task.val).firstIndex(where: { $0.image == image }), row < e.labels.count else { continue }
        let k = e.classes.count
        rows[e.taskName] = Array(e.logits.scalars[(row * k)..<((row + 1) * k)])
    }
    return rows
}
