import Foundation

let recordCommand = Command("record", usage: "record FILE.md | record stop",
                            summary: "write a Markdown notebook of what follows: each command, its output, its pictures",
                            example: "record notebook.md") { session, args in
    guard args.count == 1 else { throw recordCommand.usageError(args) }
    if args[0] == "stop" {
        guard let path = session.recordPath else { throw CommandError("record stop: not recording") }
        session.recordPath = nil
        session.out.print("stopped recording \(displayPath(path, session))")
        return
    }
    let path = session.resolve(args[0])
    let header = "# mtmc session\n\nRecorded \(Date()) in `\(session.workingDirectory)`.\n\n"
    do {
        try header.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw CommandError("record: cannot write \(args[0]): \((error as NSError).localizedDescription)")
    }
    session.recordPath = path
    session.out.print("recording to \(args[0]); record stop ends it")
}

/// Appends one command and its output to the notebook; PNG paths in the output become inline pictures.
func appendToRecord(_ path: String, command: String, output: [String], session: Session) {
    var block = "```\nmtmc> \(command)\n" + output.joined(separator: "\n") + "\n```\n\n"
    let folder = (path as NSString).deletingLastPathComponent
    for line in output.joined(separator: "\n").split(separator: "\n") {
        guard let word = line.split(separator: " ").last.map(String.init), word.hasSuffix(".png") else { continue }
        let absolute = session.resolve(word)
        let relative = absolute.hasPrefix(folder + "/") ? String(absolute.dropFirst(folder.count + 1)) : absolute
        block += "![\((word as NSString).lastPathComponent)](\(relative.replacingOccurrences(of: " ", with: "%20")))\n\n"
    }
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(block.utf8))
        handle.closeFile()
    }
}
