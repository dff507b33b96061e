import Engine
import Foundation
import Vision

let runCommand = Command("run", usage: "run FILE", summary: "replay a session script inside this session (stops at the first error)",
                         example: "run sessions/quickstart.mtmc") { session, args in
    guard args.count == 1 else { throw runCommand.usageError(args) }
    let path = session.resolve(args[0])
    let lines = try readScript(path)
    try session.scripts.enter(path, shown: args[0])
    defer { session.scripts.leave() }
    let outcome = replay(lines, in: session, source: args[0], echo: true, keepGoing: false, recordHistory: false)
    if let message = scriptStopMessage(outcome.stop, source: args[0]) { throw CommandError("run: " + message) }
}

/// The lines of a session script (UTF-8; CRLF line ends accepted), or an error naming the file, and the
/// line for text that is not UTF-8. A FIFO or device is refused from its type instead of blocking.
public func readScript(_ path: String) throws -> [String] {
    let data: Data
    do { data = try readRegularFile(path) } catch let error as FileReadError {
        throw CommandError("cannot read script \(path): " + (error.reason == String(cString: strerror(ENOENT)) ? "no such file" : error.reason))
    }
    var lines: [String] = []
    for (number, bytes) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
        guard let line = String(data: Data(bytes), encoding: .utf8) else {
            throw CommandError("script \(path) is not UTF-8 text at line \(number + 1)")
        }
        let text = number == 0 && line.hasPrefix("\u{FEFF}") ? String(line.dropFirst()) : line  // a byte-order mark some editors add
        lines.append(text.hasSuffix("\r") ? String(text.dropLast()) : text)
    }
    return lines
}

let historyCommand = Command("history", usage: "history [save FILE]",
                             summary: "show what was typed, or save the commands that succeeded as a script that replays to the same state",
                             example: "history save sessions/mine.mtmc", completions: ["save"]) { session, args in
    let commands = session.replayable.filter { !$0.hasPrefix("#") }.count
    switch args.count {
    case 0:
        let typed = session.typed.filter { !$0.hasPrefix("history") }
        session.out.print(typed.enumerated().map { String(format: "%4d  %@", $0.offset + 1, $0.element) }.joined(separator: "\n")
                          + "\nhistory save FILE writes the \(commands) that succeeded (an interrupted train as the epochs it ran)")
    case 2 where args[0] == "save":
        let path = session.resolve(args[1])
        let header = ["# mtmc session saved \(Date()): the commands that succeeded, in order; failed ones are left out",
                      "# relative paths are from \(session.workingDirectory)"]
        let text = (header + session.replayable).joined(separator: "\n") + "\n"
        do { try writeAtomically(Data(text.utf8), to: path) } catch { throw CommandError("history save: \(error)") }
        session.out.print("saved \(commands) commands to \(args[1]); replay with: mtmc \(quotedWord(args[1]))")
    default:
        throw historyCommand.usageError()
    }
}

let helpCommand = Command("help", usage: "help [COMMAND [SUB-COMMAND]] | help set KEY",
                          summary: "list commands, show one command's (or sub-command's) usage and an example, or explain a setting",
                          example: "help show calib") { session, args in
    guard let name = args.first else {
        session.out.print(commandTable())
        return
    }
    guard let command = allCommands.first(where: { $0.name == name }) else {
        let near = nearestCommands(to: name)
        throw CommandError("help: unknown command '\(name)'" + (near.isEmpty ? "" : "; did you mean: \(near.joined(separator: ", "))?"))
    }
    let words = Array(args.dropFirst())
    if command.name == "set", words.count == 1 {
        session.out.print(settingExplanation(try namedSetting(words[0], command: "help set"), session, width: session.out.columns()))
        return
    }
    guard words.count <= 1 else { throw helpCommand.usageError() }
    let matching = words.isEmpty ? [command.usage] : command.alternatives(startingWith: words)
    guard !matching.isEmpty else {
        throw CommandError("help: \(name) has no sub-command '\(words[0])'; usage: \(command.usage)")
    }
    let whole = matching.joined(separator: " | ") == command.usage
    let usage = wrappedUsage(matching.joined(separator: " | "), width: session.out.columns() - 8).joined(separator: "\n       ")
    let example = command.example.hasPrefix((([name] + words).joined(separator: " "))) ? "\nexample: \(command.example)" : ""
    session.out.print("usage: \(usage)" + (whole ? "\n  \(command.summary)" : "") + example)
}

/// `help` alone: every command's usage and what it does, in a table that fits 100 columns.
private func commandTable() -> String {
    // Usages break between alternatives (one may still pass 30 columns, up to 40), summaries take what is left.
    let usages = allCommands.map { wrappedUsage($0.usage, width: 30, longest: 40) }
    let usageWidth = usages.joined().map(displayWidth).max() ?? 0
    let rows = zip(allCommands, usages).flatMap { command, usage -> [[String]] in
        let summary = wrapped(command.summary, width: 100 - 2 - usageWidth - 2)
        return (0..<max(usage.count, summary.count)).map { [$0 < usage.count ? usage[$0] : "", $0 < summary.count ? summary[$0] : ""] }
    }
    return "commands:\n" + Table(headers: ["usage", "what it does"], rows: rows).render()
        + "\nhelp COMMAND shows an example; Tab completes commands, settings, paths, tasks and classes"
}

let quitCommand = Command("quit", usage: "quit", summary: "leave (Ctrl-D too)", example: "quit") { _, _ in }
