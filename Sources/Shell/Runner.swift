import Commands
import Foundation

/// Runs command lines from a script, from `-c`, from piped standard input, or at the interactive prompt.
struct Runner {
    let session: Session

    init() {
        let session = Session(out: TerminalOutput.sink())
        session.isCancelled = { Interrupt.isSet }
        session.out.picture = { [unowned session] path in TerminalPictures.draw(path, in: session) }
        session.input = KeyReader.input()
        self.session = session
    }

    /// Runs `lines` (from `source`, for messages). Echoes each command after a prompt-like marker when
    /// `echo` is set. Stops at the first failure unless `keepGoing`, and at Ctrl-C always, saying where;
    /// returns whether all succeeded. In a data-parallel job a script that ran to its end says so to the other
    /// ranks, so that one still running commands learns it instead of waiting for this one (RankAgreement).
    func run(lines: some Sequence<String>, source: String, echo: Bool, keepGoing: Bool) -> Bool {
        Interrupt.clear()
        let outcome = replay(lines, in: session, source: source, echo: echo, keepGoing: keepGoing, recordHistory: true)
        if let message = scriptStopMessage(outcome.stop, source: source) { session.out.print("error: " + message) }
        if outcome.stop == nil || outcome.stop == .quit {
            return RankAgreement.agree(.end(source: source, line: outcome.lastLine), session: session) && outcome.allSucceeded
        }
        return outcome.allSucceeded
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
