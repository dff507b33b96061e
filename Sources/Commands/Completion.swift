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
    case ("similar", 1):
        return pathCompletions(word, session: session)
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
    default:
        if position == 1, let spec = allCommands.first(where: { $0.name == command }) { candidates = spec.completions }
    }
    var seen = Set<String>()
    return candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }
}

/// Files and folders starting with `word` (relative to the working directory; `~` expanded); folders end in "/".
func pathCompletions(_ word: String, session: Session) -> [String] {
    let expanded = (word as NSString).expandingTildeInPath
    let slash = word.lastIndex(of: "/")
    let typedFolder = slash.map { String(word[...$0]) } ?? ""
    let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
    let folder = typedFolder.isEmpty ? session.workingDirectory : session.resolve((expanded as NSString).deletingLastPathComponent + "/")
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    return sortedByCodePoint(names.filter { $0.hasPrefix(prefix) && (!$0.hasPrefix(".") || prefix.hasPrefix(".")) }).map { name in
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
        return typedFolder + name + (isDirectory.boolValue ? "/" : "")
    }
}
