import Foundation
import MTMC
import Vision

let labelCommand = Command("label", usage: "label IMG CLASS [TASK]",
                           summary: "copies an image from outside the tree into the train split under CLASS (of TASK) and adds it to the loaded dataset",
                           example: "label unlabelled/0042.png Sneaker") { session, args in
    guard (2...3).contains(args.count) else { throw labelCommand.usageError() }
    let dataset = try session.requireDataset("label")
    let source = session.resolve(args[0])
    let t = try labelTask(args, source: source, dataset, session)
    let task = dataset.tasks[t]
    guard let label = task.classes.firstIndex(of: args[1]) else {
        throw CommandError("label: task \(task.name) has no class '\(args[1])'; classes: " + task.classes.joined(separator: ", "))
    }
    guard !isInside(source, dataset.root) else {
        throw CommandError("label: \(args[0]) is already in the dataset tree; label files images from outside it")
    }
    let name = (source as NSString).lastPathComponent
    guard !name.hasPrefix("."), imageExtensions.contains((name as NSString).pathExtension.lowercased()) else {
        throw CommandError("label: \(args[0]): load reads only files named *.png, *.jpg or *.jpeg that do not start with '.'")
    }
    let cached: (image: RGBImage, sourceSize: ImageSize)
    do {
        cached = try dataset.cachedForm(of: source, pixelLimit: session.settings.pixelLimit)
    } catch let error as ImageError {
        throw CommandError("label: \(args[0]): \(error.reason)")
    }
    guard let folder = dataset.trainFolder(task: t, label: label), isInside(folder, dataset.root) else {
        throw CommandError("label: the train folder of class \(args[1]) is not inside the dataset tree \(displayPath(dataset.root, session))")
    }
    let destination = unusedPath(in: folder, name: name)
    do { try FileManager.default.copyItem(atPath: source, toPath: destination) } catch {
        throw CommandError("label: cannot copy \(args[0]) to \(displayPath(destination, session)): \(errorReason(error))")
    }
    session.dataset = dataset.addingTrainImage(file: destination, image: cached.image, sourceSize: cached.sourceSize, task: t, label: label)
    // Labelled images are no longer suggestions: completion offers the ones left.
    session.suggestions.removeAll { $0.path == source && $0.task == task.name }
    var lines = ["labelled \(args[0]) as \(args[1]) of \(task.name): copied to \(dataset.shownPath(destination)) "
                 + "(\(task.name) now has \(task.train.count + 1) train images, \(args[1]) \(task.trainCounts[label].used + 1))"]
    if let share = task.valShare {
        lines.append(String(format: "note: task %@ has no val folder; the next load holds out %.0f%% of train/ again, which may take this image", task.name, share * 100))
    }
    let logFolder = session.resolve(session.settings.logsFolder)
    let parent = (normalizedPath(dataset.root) as NSString).deletingLastPathComponent
    do {
        // `from` stays absolute: `suggest` compares it with the pool's paths to leave labelled images out.
        let entry = CurationEntry(action: "label", file: (destination as NSString).lastPathComponent, from: source,
                                  to: String(normalizedPath(destination).dropFirst(parent.count + 1)))
        try CurationLog(folder: logFolder).append(entry.line)
    } catch {
        lines.append("warning: the image is filed, but the curation log \(displayPath(CurationLog.path(folder: logFolder), session)) could not be written: \(errorReason(error))")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The task a `label` line names: its third word, else the task of the suggestion for the image, else the only task.
private func labelTask(_ args: [String], source: String, _ dataset: Dataset, _ session: Session) throws -> Int {
    if args.count == 3 { return try dataset.taskIndex(args[2], command: "label") }
    if dataset.tasks.count == 1 { return 0 }
    let suggested = Set(session.suggestions.filter { $0.path == source }.map(\.task))
    if suggested.count == 1, let t = dataset.tasks.firstIndex(where: { suggested.contains($0.name) }) { return t }
    throw CommandError("label: the dataset has several tasks; name one: label IMG CLASS TASK (tasks: "
                       + dataset.tasks.map(\.name).joined(separator: ", ") + ")")
}

/// `folder/name`, or, when that exists, `folder/stem-2.ext`, `stem-3.ext`, … the first that does not.
func unusedPath(in folder: String, name: String) -> String {
    let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
    var candidate = (folder as NSString).appendingPathComponent(name), n = 1
    while FileManager.default.fileExists(atPath: candidate) {
        n += 1
        candidate = (folder as NSString).appendingPathComponent("\(stem)-\(n)" + (ext.isEmpty ? "" : "." + ext))
    }
    return candidate
}
