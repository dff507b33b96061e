import Foundation
import MTMC

/// Tab completion candidates for the word being typed, given the words before it: command names,
/// sub-commands and settings, setting values, task and class names, and file paths.
public func completions(before: [String], word: String, in session: Session) -> [String] {
    guard let command = before.first else { return allCommands.map(\.name).filter { $0.hasPrefix(word) } + (["quit"].filter { $0.hasPrefix(word) }) }
    let position = before.count  // index of the word being completed
    var candidates: [String] = []
    let taskNames = session.modelTasks.isEmpty ? (session.dataset.map { Session.tasks(of: $0) } ?? []) : session.modelTasks
    switch (command, position) {
    case ("set", 1):
        candidates = allSettings.map(\.name)
    case ("set", 2):
        candidates = allSettings.first { $0.name == before[1] }?.values ?? []
    case ("similar", 1), ("suggest", 1):
        return pathCompletions(word, session: session)
    case ("suggest", _):
        candidates = taskNames.map(\.name) + ["--by"] + (before.last == "--by" ? UncertaintyMeasure.allCases.map(\.rawValue) : [])
    case ("label", 1):
        let suggested = session.suggestions.map(\.shown)
        return suggested.isEmpty ? pathCompletions(word, session: session) : suggested.filter { $0.hasPrefix(word) }
    case ("label", 2):
        let suggested = session.suggestions.first { $0.shown == before[1] }?.task
        candidates = taskNames.first { $0.name == suggested }?.classes ?? (taskNames.count == 1 ? taskNames[0].classes : taskNames.flatMap(\.classes))
    case ("label", 3):
        candidates = taskNames.filter { $0.classes.contains(before[2]) }.map(\.name)
    case ("similar", _), ("check", 2):
        candidates = taskNames.map(\.name)
    case ("load", _), ("import", _), ("open", _), ("save", _), ("run", _), ("predict", _):
        return pathCompletions(word, session: session)
    case ("history", 2), ("export", 2), ("record", 1):
        return pathCompletions(word, session: session)
    case ("show", 2) where before[1] == "augment":
        return pathCompletions(word, session: session)
    case ("plot", 3) where before[1] == "samples":
        candidates = taskNames.first { $0.name == before[2] }?.classes ?? []
    case ("show", 2), ("plot", 2), ("calibrate", 1):
        candidates = taskNames.map(\.name) + (command == "show" && ["calib", "class"].contains(before[1]) ? taskNames.flatMap(\.classes) : [])
    case ("show", 3):
        candidates = taskNames.map(\.name)
    case ("relabel", 1), ("drop", 1):
        return datasetImageCompletions(word, session: session)
    case ("relabel", 2):
        candidates = imageClasses(before[1], session: session)
    case ("review", 2) where before[1] != "dupes":
        candidates = taskNames.map(\.name)
    default:
        if position == 1, let spec = allCommands.first(where: { $0.name == command }) { candidates = spec.completions }
    }
    var seen = Set<String>()
    return candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }
}

/// Files and folders starting with `word` (relative to the working directory; `~` expanded); folders end in "/".
func pathCompletions(_ word: String, session: Session) -> [String] {
    let slash = word.lastIndex(of: "/")
    let typedFolder = slash.map { String(word[...$0]) } ?? ""
    let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
    // The folder is the typed part up to its last slash: `samples/` lists the children of samples/, not its parent's.
    let folder = typedFolder.isEmpty ? session.workingDirectory : session.resolve(typedFolder)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    return sortedByCodePoint(names.filter { $0.hasPrefix(prefix) && (!$0.hasPrefix(".") || prefix.hasPrefix(".")) }).map { name in
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
        return typedFolder + name + (isDirectory.boolValue ? "/" : "")
    }
}

/// Images of the loaded dataset as `show worst` names them (TASK/SPLIT/CLASS/FILE) one folder at a time (a
/// folder ends in "/", so Tab after Tab drills down), then files and folders of the working directory.
func datasetImageCompletions(_ word: String, session: Session) -> [String] {
    var names: [String] = []
    if let dataset = session.dataset {
        var seen = Set<String>()
        for image in dataset.memberImages() {
            let shown = dataset.shownFile(image)
            guard shown.hasPrefix(word) else { continue }
            let rest = shown.dropFirst(word.count)
            let next = rest.firstIndex(of: "/").map { word + rest[...$0] } ?? shown
            if seen.insert(next).inserted { names.append(next) }
        }
    }
    return sortedByCodePoint(names) + pathCompletions(word, session: session).filter { !names.contains($0) }
}

/// The classes of the task of the image named `name`; every task's classes when it names none.
private func imageClasses(_ name: String, session: Session) -> [String] {
    guard let dataset = session.dataset else { return [] }
    if let image = try? dataset.imageIndex(named: name, workingDirectory: session.workingDirectory),
       let membership = dataset.membership(of: image) {
        return dataset.tasks[membership.task].classes
    }
    return dataset.tasks.flatMap(\.classes)
}

/// What one Tab does with the line typed up to the cursor: the text to insert there, or, when the word
/// cannot be extended and several candidates remain, the candidates to list (paths by their last part).
public struct CompletionStep: Equatable {
    /// Inserted at the cursor, escaped so that the line still splits into the same words.
    public var insertion = ""
    /// Shown below the line when nothing can be inserted.
    public var listing: [String] = []

    public init(insertion: String = "", listing: [String] = []) {
        self.insertion = insertion
        self.listing = listing
    }
}

/// The completion of the word that ends `head` (the line up to the cursor). A single candidate is
/// inserted whole and the word ended (a space; a folder keeps its slash, so the next Tab goes into it);
/// several are extended to their longest common prefix, whole characters only, or listed when they
/// share nothing more than what was typed.
public func completionStep(head: String, in session: Session) -> CompletionStep {
    let typing = wordsBeingTyped(head)
    return completionStep(typing, candidates: completions(before: typing.before, word: typing.word, in: session))
}

/// The completion of `head`, a single name being typed at a prompt that asks for one of `candidates` (a class).
public func completionStep(head: String, candidates: [String]) -> CompletionStep {
    let typing = wordsBeingTyped(head)
    return completionStep(typing, candidates: candidates.filter { $0.hasPrefix(typing.word) })
}

/// One Tab's step for the word being typed, from the candidates that start with it.
private func completionStep(_ typing: (before: [String], word: String, openQuote: Character?), candidates: [String]) -> CompletionStep {
    guard let first = candidates.first else { return CompletionStep() }
    let common = candidates.dropFirst().reduce(first) { String(zip($0, $1).prefix { $0 == $1 }.map(\.0)) }
    let rest = escapedForCommandLine(String(common.dropFirst(typing.word.count)), openQuote: typing.openQuote)
    if candidates.count == 1 {
        let end = first.hasSuffix("/") ? "" : (typing.openQuote.map { String($0) } ?? "") + " "
        return CompletionStep(insertion: rest + end)
    }
    guard rest.isEmpty else { return CompletionStep(insertion: rest) }
    let folderLength = typing.word.lastIndex(of: "/").map { typing.word.distance(from: typing.word.startIndex, to: $0) + 1 } ?? 0
    return CompletionStep(listing: candidates.map { String($0.dropFirst(folderLength)) })
}

/// Names in columns for a terminal `width` columns wide, down then across as readline lists them; every
/// column as wide as the widest name in display columns (a Chinese character takes two), two spaces apart.
public func columnListing(_ names: [String], width: Int) -> [String] {
    guard !names.isEmpty else { return [] }
    let columnWidth = (names.map(displayWidth).max() ?? 0) + 2
    let columns = max(1, min(names.count, (width - 1 + 2) / columnWidth))
    let rows = (names.count + columns - 1) / columns
    return (0..<rows).map { row in
        let cells = stride(from: row, to: names.count, by: rows).map { names[$0] }
        let line = cells.enumerated().map { $0.offset + 1 < cells.count ? padded($0.element, to: columnWidth) : $0.element }
        return line.joined()
    }
}
