import Engine
import Foundation
import Vision

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
    do { try writeAtomically(Data(header.utf8), to: path) } catch { throw CommandError("record: \(error)") }
    session.recordPath = path
    session.out.print("recording to \(args[0]); record stop ends it")
}

/// Appends one command and its output to the notebook; PNG paths in the output become inline pictures.
/// When the notebook cannot be written (a full disk, a file that was replaced), recording stops, saying why.
func appendToRecord(_ path: String, command: String, output: [String], session: Session) {
    var block = "```\nmtmc> \(command)\n" + output.joined(separator: "\n") + "\n```\n\n"
    let folder = (path as NSString).deletingLastPathComponent
    for line in output.joined(separator: "\n").split(separator: "\n") {
        guard let word = line.split(separator: " ").last.map(String.init), word.hasSuffix(".png") else { continue }
        let absolute = session.resolve(word)
        let relative = absolute.hasPrefix(folder + "/") ? String(absolute.dropFirst(folder.count + 1)) : absolute
        block += "![\((word as NSString).lastPathComponent)](\(relative.replacingOccurrences(of: " ", with: "%20")))\n\n"
    }
    do {
        let handle = try appendHandle(path)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(block.utf8))
    } catch {
        session.recordPath = nil
        session.out.print("error: record: cannot append to \(displayPath(path, session)): \(errorReason(error)); recording stopped")
    }
}

/// The notebook opened for appending; it must still be a regular file (never a FIFO that would block).
private func appendHandle(_ path: String) throws -> FileHandle {
    let fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC)
    // ENXIO: a FIFO without a reader, which O_NONBLOCK refuses instead of waiting for one.
    guard fd >= 0 else { throw errno == ENXIO ? CommandError("it is no longer a regular file") : NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        close(fd)
        throw CommandError("it is no longer a regular file")
    }
    return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
}
