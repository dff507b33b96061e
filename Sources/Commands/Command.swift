import Foundation

/// One verb of the shell's language: its usage line, a one-line summary, an example, the words
/// Tab completes after it, and what it does.
public struct Command {
    public let name: String
    public let usage: String
    public let summary: String
    public let example: String
    /// Words completed after the command name (sub-commands, setting names).
    public let completions: [String]
    let run: (Session, [String]) throws -> Void

    init(_ name: String, usage: String, summary: String, example: String, completions: [String] = [],
         run: @escaping (Session, [String]) throws -> Void) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.example = example
        self.completions = completions
        self.run = run
    }

    /// The error for wrong arguments: the usage line. A command that takes one path and got several words
    /// was most likely given a path with spaces, so the message shows it quoted.
    func usageError(_ args: [String] = []) -> CommandError {
        let usage = self.usage(for: Array(args.prefix(1)))
        let words = usage.split(separator: " ")
        let takesOnePath = words.count >= 2 && ["PATH", "FILE", "FILE.md"].contains(words[1]) && (words.count == 2 || words[2] == "|")
        guard takesOnePath, args.count > 1 else { return CommandError("usage: \(usage)") }
        return CommandError("usage: \(usage); a path with spaces needs quotes: \(name) \(quotedWord(args.joined(separator: " ")))")
    }
}

extension Command {
    /// The alternatives of the usage that a sub-command's words start (`show calib` gives `show calib CLASS
    /// [TASK] | show calib TASK`), so a mistake in one sub-command shows its own usage; the whole usage when none does.
    func usage(for words: [String]) -> String {
        guard !words.isEmpty else { return usage }
        let matching = alternatives(startingWith: words)
        return matching.isEmpty ? usage : matching.joined(separator: " | ")
    }

    /// The alternatives of the usage (split at ` | `) that begin with the command's name and `words`.
    func alternatives(startingWith words: [String]) -> [String] {
        let start = ([name] + words).joined(separator: " ")
        return usage.components(separatedBy: " | ").filter { $0 == start || $0.hasPrefix(start + " ") }
    }
}

/// The outcome of one command line.
public enum CommandResult: Equatable {
    case success
    case failure
    case quit
}

/// Every command, in the order `help` lists them.
public let allCommands: [Command] = [
    loadCommand, infoCommand, balanceCommand, modelCommand, importCommand, setCommand, freezeCommand, unfreezeCommand,
    trainCommand, learningRateCommand, evalCommand, checkCommand, similarCommand, relabelCommand, dropCommand, undoCommand, reviewCommand,
    suggestCommand, labelCommand, calibrateCommand, showCommand, predictCommand, exportCommand, plotCommand, saveCommand, openCommand,
    recordCommand, runCommand, historyCommand, helpCommand, quitCommand,
]

/// Runs one line (one command) in the session. Errors are printed and leave the session as it was.
@discardableResult
public func execute(_ line: String, in session: Session, recordHistory: Bool = true) -> CommandResult {
    let words: [String]
    do {
        words = try splitWords(line)
    } catch {
        session.out.print("error: \(error)")
        return .failure
    }
    guard let name = words.first else { return .success }
    if recordHistory { session.typed.append(line.trimmingCharacters(in: .whitespaces)) }
    if name == "quit" || name == "exit" { return .quit }
    guard let command = allCommands.first(where: { $0.name == name }) else {
        let suggestions = nearestCommands(to: name)
        session.out.print("error: unknown command '\(name)'" + (suggestions.isEmpty ? "; type help for the list"
                                                                 : "; did you mean: " + suggestions.joined(separator: ", ") + "?"))
        return .failure
    }
    // While recording, this command's output and pictures are also kept for the notebook.
    var captured: [String] = [], pictures: [String] = []
    let sink = session.out
    let recording = session.notebook != nil && name != "record"
    if recording {
        session.out.print = { sink.print($0); captured.append($0) }
        session.out.picture = { sink.picture($0); pictures.append($0) }
    }
    defer {
        session.out = sink
        if recording, let notebook = session.notebook {
            appendToRecord(notebook, command: line.trimmingCharacters(in: .whitespaces), output: captured, pictures: pictures, session: session)
        }
    }
    // A script's own lines are recorded as they succeed, so `run` and `history` themselves are not.
    let outerReplay = session.replaysAs
    session.replaysAs = nil
    defer { session.replaysAs = outerReplay }
    do {
        try session.engine.run { try command.run(session, Array(words.dropFirst())) }
        if name != "run" && name != "history" { session.replayable += session.replaysAs ?? [line.trimmingCharacters(in: .whitespaces)] }
        reportCacheProblems(session)
        return .success
    } catch {
        session.out.progress(nil)
        session.out.print("error: \(error)")
        reportCacheProblems(session)
        return .failure
    }
}

/// Prints what reading the dataset's cache ran into during a command (a disk cache chunk failing its checksum).
private func reportCacheProblems(_ session: Session) {
    for problem in session.dataset?.cache.takeProblems() ?? [] { session.out.print(problem) }
}

/// Command names within edit distance 2 of `word`, or starting with it; nearest first.
func nearestCommands(to word: String) -> [String] {
    let scored = allCommands.map { ($0.name, editDistance($0.name, word)) }
    return scored.filter { $0.1 <= 2 || $0.0.hasPrefix(word) }.sorted { $0.1 < $1.1 }.prefix(3).map(\.0)
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
