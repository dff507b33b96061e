import Foundation

let runCommand = Command("run", usage: "run FILE", summary: "replay a session script inside this session (stops at the first error)",
                         example: "run sessions/quickstart.mtmc") { session, args in
    guard args.count == 1 else { throw runCommand.usageError() }
    let path = session.resolve(args[0])
    let lines = try readScript(path)
    for (number, line) in lines.enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
        session.out.print("mtmc> \(trimmed)")
        switch execute(trimmed, in: session, recordHistory: false) {
        case .success: continue
        case .quit: return
        case .failure: throw CommandError("run: stopped at \(args[0]):\(number + 1)")
        }
    }
}

/// The lines of a session script (UTF-8), or an error naming the file.
public func readScript(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandError("cannot read script \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"))
    }
    guard let text = String(data: data, encoding: .utf8) else { throw CommandError("script \(path) is not UTF-8 text") }
    return text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
}

let historyCommand = Command("history", usage: "history [save FILE]", summary: "show what was typed, or save it as a session script",
                             example: "history save sessions/mine.mtmc", completions: ["save"]) { session, args in
    let typed = session.typed.filter { !$0.hasPrefix("history") }
    switch args.count {
    case 0:
        session.out.print(typed.enumerated().map { String(format: "%4d  %@", $0.offset + 1, $0.element) }.joined(separator: "\n"))
    case 2 where args[0] == "save":
        let path = session.resolve(args[1])
        let text = "# mtmc session saved \(Date())\n" + typed.joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError("history save: cannot write \(args[1]): \((error as NSError).localizedDescription)")
        }
        session.out.print("saved \(typed.count) commands to \(args[1]); replay with: mtmc \(quotedWord(args[1]))")
    default:
        throw historyCommand.usageError()
    }
}

let helpCommand = Command("help", usage: "help [COMMAND]", summary: "list commands, or show one command's usage and an example",
                          example: "help train") { session, args in
    switch args.count {
    case 0:
        let rows = allCommands.map { [$0.usage, $0.summary] }
        session.out.print("commands:\n" + Table(headers: ["usage", "what it does"], rows: rows).render()
                          + "\nhelp COMMAND shows an example; Tab completes commands, settings, paths, tasks and classes")
    case 1:
        guard let command = allCommands.first(where: { $0.name == args[0] }) else {
            let near = nearestCommands(to: args[0])
            throw CommandError("help: unknown command '\(args[0])'" + (near.isEmpty ? "" : "; did you mean: \(near.joined(separator: ", "))?"))
        }
        session.out.print("usage: \(command.usage)\n  \(command.summary)\nexample: \(command.example)")
    default:
        throw helpCommand.usageError()
    }
}

let quitCommand = Command("quit", usage: "quit", summary: "leave (Ctrl-D too)", example: "quit") { _, _ in }
