import Commands
import Foundation

/// Runs command lines from a script, from `-c`, from piped standard input, or at the interactive prompt.
struct Runner {
    let session: Session

    init() {
        session = Session(out: TerminalOutput.sink())
        session.isCancelled = { Interrupt.isSet }
    }

    /// Runs `lines` (from `source`, for messages). Echoes each command after a prompt-like marker when
    /// `echo` is set. Stops at the first failure unless `keepGoing`; returns whether all succeeded.
    func run(lines: [String], source: String, echo: Bool, keepGoing: Bool) -> Bool {
        var allSucceeded = true
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            if echo { session.out.print("mtmc> \(trimmed)") }
            Interrupt.clear()
            switch execute(trimmed, in: session) {
            case .success:
                continue
            case .quit:
                return allSucceeded
            case .failure:
                allSucceeded = false
                if !keepGoing {
                    session.out.print("error: stopped at \(source):\(index + 1)")
                    return false
                }
            }
        }
        return allSucceeded
    }

    /// The interactive loop: prompt, run, repeat until quit or Ctrl-D.
    func interactive() {
        LineEditor.start(session: session)
        Swift.print("mtmc \(MTMCCommand.version) — type help for commands, Tab to complete, Ctrl-D to leave")
        while let line = LineEditor.readLine(prompt: "mtmc> ") {
            if execute(line, in: session) == .quit { break }
        }
    }
}
