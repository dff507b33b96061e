import Engine
import Foundation
import MTMC
import Vision

let loadCommand = Command("load", usage: "load PATH", summary: "parse and decode a dataset tree; print the summary",
                          example: "load samples/prints") { session, args in
    guard args.count == 1 else { throw loadCommand.usageError(args) }
    let root = session.resolve(args[0])
    let cacheSize = Dataset.cacheSize(forInput: (session.settings.training.inputWidth, session.settings.training.inputHeight))
    let dataset: Dataset
    // Ranks of a data-parallel job on one host would write the same disk cache file at once: rank 0 builds
    // it while the others wait, then they find it complete and reuse it.
    let staggered = World.current.size > 1 && session.settings.cache.mode != .memory && session.settings.cache.mode != CacheMode.none
    if staggered && !World.current.isRoot { World.current.barrier() }
    defer { if staggered && World.current.isRoot { World.current.barrier() } }
    do {
        dataset = try Dataset.load(root, cacheSize: cacheSize, decoder: ImageDecoder(pixelLimit: session.settings.pixelLimit),
                                   cache: session.settings.cache,
                                   split: ValidationSplit(share: session.settings.valSplit, seed: session.settings.training.seed),
                                   isCancelled: session.isCancelled,
                                   progress: { done, total in session.out.progress("load: \(done)/\(total) images") })
    } catch {
        session.out.progress(nil)
        throw CommandError("\(error)" + (session.dataset == nil ? "" : "; the dataset loaded before is kept"))
    }
    session.out.progress(nil)
    // An evaluation opened from a checkpoint before any dataset was loaded stays when it describes this one's
    // images (`show worst` and the rest read it); any other evaluation was of the dataset this load replaces.
    let opened = session.dataset == nil && session.modelTasks == Session.tasks(of: dataset) ? session.evaluations : []
    let fitting = opened.filter { StoredEvaluations.fits($0, dataset) }
    session.dataset = dataset
    session.curationMoves = []
    // Calibration describes the model's classes: it stays when the new dataset has the same ones.
    session.forgetResults("the dataset has other tasks or classes", keepCalibration: session.modelTasks == Session.tasks(of: dataset))
    session.evaluations = fitting
    session.out.print(datasetSummary(dataset, shownRoot: args[0], seed: session.settings.training.seed))
    if let note = storedEvaluationNote(opened: opened, kept: fitting) { session.out.print(note) }
    session.out.print(dataset.cacheNotes.joined(separator: "\n"))
    if dataset.cache.mode != dataset.chosenCacheMode {
        session.settings.cache.mode = dataset.cache.mode
        session.out.print("cache = \(dataset.cache.mode.rawValue) for this session (set cache to change it)")
    }
    if session.trainer != nil, session.modelTasks != Session.tasks(of: dataset) {
        let differences = Checkpoint.differences(session.modelTasks, Session.tasks(of: dataset))
        session.out.print("note: the model was built for other tasks or classes (\(differences.joined(separator: "; "))); "
                          + "build a new one with model NAME or open a matching checkpoint")
    }
}

/// What became of the opened checkpoint's evaluation at `load`, nil when there was none.
func storedEvaluationNote(opened: [TaskEvaluation], kept: [TaskEvaluation]) -> String? {
    guard let phase = opened.first?.phase else { return nil }
    let dropped = opened.filter { e in !kept.contains { $0.taskName == e.taskName } }.map(\.taskName)
    let keptNames = kept.map(\.taskName).joined(separator: ", ")
    if dropped.isEmpty {
        return "the checkpoint's \(phase) evaluation (\(keptNames)) matches these images: show worst, plot worst and plot why read it without eval"
    }
    return (kept.isEmpty ? "" : "the checkpoint's \(phase) evaluation of \(keptNames) matches these images; ")
        + "its evaluation of \(dropped.joined(separator: ", ")) was of other \(phase) images and is dropped: run eval"
}

/// The summary `load` prints: per task and class, images used, skipped and broken, then every broken file.
func datasetSummary(_ dataset: Dataset, shownRoot: String, seed: UInt64) -> String {
    let images = dataset.tasks.reduce(0) { $0 + $1.train.count + $1.val.count }
    let kept = [CacheMode.memory: dataset.cache.bytes, .disk: dataset.cache.diskBytes][dataset.cache.mode]
    var lines = [String(format: "loaded %@ in %.2f s: %d tasks, %d images, %@ (%d×%d per image)",
                        shownRoot, dataset.loadSeconds, dataset.tasks.count, images,
                        kept.map { String(format: "cache %.1f MB", Double($0) / 1e6) + (dataset.cache.mode == .disk ? " on disk" : "") } ?? "no cache",
                        dataset.cache.width, dataset.cache.height)]
    for task in dataset.tasks {
        lines.append("task \(task.name): \(task.classes.count) classes, \(task.train.count) train, \(task.val.count) val"
                     + (task.valShare.map { "; val: " + splitDescription($0, seed: seed) } ?? ""))
        let rows = task.classes.indices.map { c -> [String] in
            let t = task.trainCounts[c], v = task.valCounts[c]
            return [task.classes[c], "\(t.used)", "\(v.used)", "\(t.skipped + v.skipped)", "\(t.broken + v.broken)"]
        }
        lines.append(Table(headers: ["class", "train", "val", "skipped", "broken"], rows: rows, rightAligned: [1, 2, 3, 4]).render())
    }
    if !dataset.broken.isEmpty {
        lines.append("broken images, skipped (\(dataset.broken.count)):")
        lines += dataset.broken.map { "  \($0)" }
    }
    return lines.joined(separator: "\n")
}
