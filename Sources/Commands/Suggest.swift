import Foundation
import MTMC
import Vision

let suggestCommand = Command("suggest", usage: "suggest FOLDER [N] [TASK] [--by margin|entropy]",
                             summary: "the N (default 10) images of FOLDER (outside the tree) most worth labelling per task: least sure, spread out by diversity, with a contact sheet",
                             example: "suggest unlabelled 10") { session, args in
    let request = try SuggestRequest(args)
    let dataset = try session.requireDataset("suggest")
    let trainer = try session.requireModel("suggest", matching: dataset)
    let folder = session.resolve(request.folder)
    guard !isInside(folder, dataset.root) else {
        throw CommandError("suggest: \(request.folder) is inside the dataset tree \(displayPath(dataset.root, session)); suggest ranks images not yet in it")
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
        throw CommandError("suggest: \(request.folder): no such folder")
    }
    let tasks = try request.task.map { [try dataset.taskIndex($0, command: "suggest")] } ?? Array(dataset.tasks.indices)
    let (found, missing) = imageFiles([folder], shown: [request.folder])
    guard missing.isEmpty, !found.isEmpty else {
        throw CommandError("suggest: " + (missing.first ?? "\(request.folder): not an image folder"))
    }
    // `label` copies, so the pool still holds what was labelled: the curation log says which, and they are left out.
    let logFolder = session.resolve(session.settings.logsFolder), logPath = CurationLog.path(folder: logFolder)
    let labelled: Set<String>
    do { labelled = Set(try CurationLog.entries(folder: logFolder).filter { $0.action == "label" }.map(\.from)) } catch {
        throw CommandError("suggest: \(error)")
    }
    let files = found.filter { !labelled.contains($0.path) }
    guard !files.isEmpty else { throw CommandError("suggest: every image of \(request.folder) is labelled already (\(displayPath(logPath, session)))") }
    let ranking = SuggestionRanking(measure: request.measure, count: request.count)
    let left = found.count - files.count
    var lines = left > 0 ? ["\(left) image\(left == 1 ? "" : "s") of \(request.folder) labelled already (\(displayPath(logPath, session))) left out"] : []
    var suggested: [LabelSuggestion] = []
    for t in tasks {
        let classes = session.modelTasks[t]
        let calibration = session.calibration.first { $0.task == classes.name && $0.classes == classes.classes }
        let ranked: (suggestions: [LabelSuggestion], failures: [String])
        do {
            ranked = try ranking.suggest(files, model: trainer.model, task: t, classes: classes, calibration: calibration,
                                        settings: session.settings.training, normalization: trainer.normalization,
                                        pixelLimit: session.settings.pixelLimit, isCancelled: session.isCancelled) { done, total in
                session.out.progress("suggest: \(classes.name) \(done)/\(total) images")
            }
        } catch let stop as Cancelled {
            session.out.progress(nil)
            throw CommandError("suggest cancelled (\(stop)); the suggestions before are kept")
        }
        session.out.progress(nil)
        if t == tasks.first { lines += ranked.failures.map { "skipped \($0)" } }
        suggested += ranked.suggestions
        lines += try suggestionReport(ranked.suggestions, task: classes.name, files: files.count - ranked.failures.count,
                                      calibrated: calibration != nil, request: request, session)
    }
    session.suggestions = suggested
    lines.append("label IMG CLASS files one into the train split (Tab completes the suggestions)")
    session.out.print(lines.joined(separator: "\n"))
}

/// The words of a `suggest` line.
private struct SuggestRequest {
    var folder = ""
    var count = 10
    var task: String?
    var measure = UncertaintyMeasure.margin

    init(_ args: [String]) throws {
        var words = args
        if let i = words.firstIndex(of: "--by") {
            guard i + 1 < words.count, let measure = UncertaintyMeasure(rawValue: words[i + 1]) else {
                throw CommandError("suggest: --by takes " + UncertaintyMeasure.allCases.map(\.rawValue).joined(separator: " or ")
                                   + (i + 1 < words.count ? ", got '\(words[i + 1])'" : ""))
            }
            self.measure = measure
            words.removeSubrange(i...(i + 1))
        }
        guard (1...3).contains(words.count) else { throw suggestCommand.usageError() }
        folder = words.removeFirst()
        if let first = words.first, let n = Int(first) {
            guard (1...1000).contains(n) else { throw CommandError("suggest: N must be a whole number from 1 to 1000, got '\(first)'") }
            count = n
            words.removeFirst()
        }
        guard words.count <= 1 else { throw suggestCommand.usageError() }
        task = words.first
    }
}

/// The table of one task's suggestions and the contact sheet of them (written, and its path added).
private func suggestionReport(_ suggestions: [LabelSuggestion], task: String, files: Int, calibrated: Bool,
                              request: SuggestRequest, _ session: Session) throws -> [String] {
    let confidence = calibrated ? "calibrated confidence" : "softmax"
    var lines = ["task \(task): \(suggestions.count) of \(files) images to label next (least sure by \(request.measure.rawValue) of \(confidence), "
                 + "spread out by backbone features)"]
    let rows = suggestions.enumerated().map { rank, s in
        ["\(rank + 1)", s.shown, s.predicted, String(format: "%.3f", s.confidence), String(format: "%.3f", s.margin)]
    }
    lines.append(Table(headers: ["rank", "image", "predicted", calibrated ? "confidence" : "softmax", "margin"], rows: rows,
                       rightAligned: [0, 3, 4]).render())
    let decoder = ImageDecoder(pixelLimit: session.settings.pixelLimit)
    let items = suggestions.prefix(sheetLimit).enumerated().map { rank, s in
        ContactSheet.Item(image: (try? decoder.decode(file: s.path)) ?? RGBImage(width: 1, height: 1),
                          caption: ["\(rank + 1). \((s.path as NSString).lastPathComponent)", "\(s.predicted)?",
                                    String(format: "%.2f, margin %.2f", s.confidence, s.margin)])
    }
    let shown = suggestions.count > sheetLimit ? " (the first \(sheetLimit) of \(suggestions.count))" : ""
    var sheet = ContactSheet(title: "\(task): images to label next from \(request.folder)" + shown, items: items)
    sheet.thumbnail = 96
    let base = ((request.folder as NSString).standardizingPath as NSString).lastPathComponent
    let output = try writePicture(sheet.draw(font: try FontRasterizer()), named: "suggest_\(base)_\(task).png", session)
    lines.append("  wrote \(displayPath(output, session))")
    return lines
}

/// The most suggestions a contact sheet shows: more would not fit a window.
private let sheetLimit = 50

/// Whether `path` is `root` or lies below it, compared with links resolved.
func isInside(_ path: String, _ root: String) -> Bool {
    let inner = (path as NSString).resolvingSymlinksInPath, outer = (root as NSString).resolvingSymlinksInPath
    return inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
}
