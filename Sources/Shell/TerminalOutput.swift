import Commands
import Engine
import Foundation

/// The session's output on standard output: on a terminal progress is one redrawn line; elsewhere
/// progress is dropped (commands print one plain line per epoch) and no control characters are written.
enum TerminalOutput {
    /// Under mpirun standard output is a pseudo-terminal whatever mpirun's own output is (often a log file),
    /// so a data-parallel job prints plain lines.
    static let isTerminal = isatty(STDOUT_FILENO) == 1 && !World.launchedByMPI

    static func sink() -> OutputSink {
        guard World.current.isRoot else { return otherRankSink(rank: World.current.rank) }
        var shown = false, lostReported = false
        var lastDraw: UInt64 = 0
        return OutputSink(
            print: { text in
                if shown { Swift.print("\r\u{1B}[K", terminator: ""); shown = false }
                Swift.print(text)
                // A closed or full standard output (a pipe whose reader left, a full disk) is said once on
                // standard error; the session goes on (SIGPIPE is ignored), its files are still written.
                if fflush(stdout) != 0 || ferror(stdout) != 0, !lostReported {
                    lostReported = true
                    printError("mtmc: cannot write to standard output (\(String(cString: strerror(errno)))); its output is lost from here on")
                }
            },
            progress: { line in
                guard isTerminal else { return }
                guard let line else {
                    if shown { Swift.print("\r\u{1B}[K", terminator: ""); fflush(stdout); shown = false }
                    return
                }
                let now = DispatchTime.now().uptimeNanoseconds
                guard now - lastDraw > 100_000_000 || !shown else { return }  // at most 10 redraws a second
                lastDraw = now
                let columns = terminalColumns()
                var text = line
                while displayWidth(text) > columns - 1 && !text.isEmpty { text.removeLast() }
                Swift.print("\r\u{1B}[K" + text, terminator: "")
                fflush(stdout)
                shown = true
            },
            columns: { isTerminal ? terminalColumns() : 100 })
    }

    /// Ranks other than 0 of a data-parallel job print nothing but their errors, on standard error, named.
    static func otherRankSink(rank: Int) -> OutputSink {
        OutputSink(print: { text in if text.hasPrefix("error:") { printError("rank \(rank): " + text) } }, progress: { _ in })
    }

    static func terminalColumns() -> Int {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
