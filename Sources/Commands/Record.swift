import Engine
import Foundation
import Vision

let recordCommand = Command("record", usage: "record FILE.md | record stop",
                            summary: "write a Markdown notebook of what follows: each command, its output, its pictures (copied beside it)",
                            example: "record notebook.md") { session, args in
    guard args.count == 1 else { throw recordCommand.usageError(args) }
    if args[0] == "stop" {
        guard let notebook = session.notebook else { throw CommandError("record stop: not recording") }
        session.notebook = nil
        session.out.print("stopped recording \(displayPath(notebook.path, session))")
        return
    }
    let header = "# mtmc session\n\nRecorded \(Date()) in `\(session.workingDirectory)`.\n\n"
    do {
        session.notebook = try Notebook(path: session.resolve(args[0]), shown: args[0], header: header)
    } catch {
        throw CommandError("record: \(error)")
    }
    session.out.print("recording to \(args[0]) (pictures in \(Notebook.picturesFolder(of: args[0]))/); record stop ends it")
}

/// Appends one command, its output and the pictures it wrote to the notebook. When the notebook cannot be
/// written (a full disk, a notebook or pictures folder that was replaced or removed), recording stops, saying why.
func appendToRecord(_ notebook: Notebook, command: String, output: [String], pictures: [String], session: Session) {
    do {
        try notebook.append(command: command, output: output, pictures: pictures)
    } catch {
        session.notebook = nil
        session.out.print("error: record: \(error); recording stopped")
    }
}
