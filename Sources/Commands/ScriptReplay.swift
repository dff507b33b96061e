import Foundation

/// Why a script stopped before its end.
public enum ScriptStop: Equatable {
    /// The command on this line (1-based) failed.
    case failed(line: Int)
    /// Ctrl-C arrived while the command on this line ran: the lines after it are not run.
    case interrupted(line: Int)
    /// The script said `quit`.
    case quit
    /// The ranks of a data-parallel job were about to run different commands at this line (RankAgreement).
    case disagreed(line: Int)
}

/// What replaying a script did: whether every command succeeded, and why it stopped early, if it did.
public struct ScriptOutcome: Equatable {
    public var allSucceeded = true
    public var stop: ScriptStop?
    /// The line of the last command (1-based; 0 when there was none).
    public var lastLine = 0
}

/// Replays script lines in the session: blank lines and `#` comments are skipped, each command is echoed
/// after `mtmc> ` when `echo` is set. A failing command stops the script unless `keepGoing`; an interrupt
/// (the session's cancel flag, set by Ctrl-C) always stops it, so a cancelled `train` is not followed by
/// `eval`, `calibrate` or `save` of a half-finished model. Lines are taken one at a time as the sequence
/// gives them, so piped standard input runs each command as it arrives (a program can drive the shell).
/// In a data-parallel job each command runs only when every rank is about to run the same one (`source` names
/// the lines in the message when they differ); a difference always stops the script.
public func replay(_ lines: some Sequence<String>, in session: Session, source: String = "", echo: Bool, keepGoing: Bool,
                   recordHistory: Bool) -> ScriptOutcome {
    var outcome = ScriptOutcome()
    for (index, line) in lines.enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
        outcome.lastLine = index + 1
        if session.isCancelled() { outcome.stop = .interrupted(line: index + 1); break }
        guard RankAgreement.agree(.command(trimmed, source: source, line: index + 1), session: session) else {
            outcome.allSucceeded = false
            outcome.stop = .disagreed(line: index + 1)
            break
        }
        if echo { session.out.print("mtmc> \(trimmed)") }
        let result = execute(trimmed, in: session, recordHistory: recordHistory)
        if session.isCancelled() {
            outcome.allSucceeded = false
            outcome.stop = .interrupted(line: index + 1)
            break
        }
        switch result {
        case .success: continue
        case .quit: outcome.stop = .quit
        case .failure:
            outcome.allSucceeded = false
            if keepGoing { continue }
            outcome.stop = .failed(line: index + 1)
        }
        break
    }
    return outcome
}

/// The message for a script that stopped at a line, naming the file and line; nil when it ran to its end or quit.
public func scriptStopMessage(_ stop: ScriptStop?, source: String) -> String? {
    switch stop {
    case .failed(let line)?: return "stopped at \(source):\(line)"
    case .interrupted(let line)?: return "interrupted at \(source):\(line); the rest of the script was not run"
    case .disagreed(let line)?: return "stopped at \(source):\(line): the ranks disagree"
    case .quit?, nil: return nil
    }
}

/// The scripts being replayed, outermost first, so that `run` can refuse a script that would run itself.
public struct ScriptChain {
    private(set) var entries: [(path: String, shown: String)] = []

    /// Whether a script is being replayed.
    public var isReplaying: Bool { !entries.isEmpty }

    /// Adds a script, or throws naming the chain of files when it is already running.
    mutating func enter(_ path: String, shown: String) throws {
        let real = canonicalPath(path)
        if entries.contains(where: { $0.path == real }) {
            let chain = (entries.map(\.shown) + [shown]).joined(separator: " → ")
            throw CommandError("run: \(shown) is already running (\(chain)); a script cannot run itself")
        }
        entries.append((real, shown))
    }

    mutating func leave() { entries.removeLast() }
}

/// The path with symbolic links and `..` resolved, so two spellings of one file compare equal.
func canonicalPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
    defer { free(resolved) }
    return String(cString: resolved)
}
