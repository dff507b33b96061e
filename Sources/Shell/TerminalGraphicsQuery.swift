import Commands
import Foundation

/// Asks the terminal what it draws (`graphicsQuery`): the questions go to standard output and the answers are
/// read from the terminal in raw mode (no echo, no line editing) until the device attributes answer comes, or
/// for at most `timeoutMilliseconds`, after which what came is used: a terminal that answers nothing is judged
/// by its environment alone, and the session goes on.
enum TerminalGraphicsQuery {
    /// Long enough for a terminal over ssh to answer; only a terminal that never answers device attributes waits it out.
    static let timeoutMilliseconds = 1000

    static func ask(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalGraphics {
        let query = graphicsQuery(insideTmux: !(environment["TMUX"] ?? "").isEmpty)
        let reply = terminalMayBeAsked(environment: environment) ? answer(to: query) : []
        return terminalGraphics(answers: GraphicsAnswers(parsing: reply), environment: environment)
    }

    /// Writes `query` and returns what the terminal sent back; nothing where there is no terminal to read.
    private static func answer(to query: String) -> [UInt8] {
        let input = isatty(STDIN_FILENO) == 1 ? STDIN_FILENO : open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard input >= 0 else { return [] }
        defer { if input != STDIN_FILENO { close(input) } }
        guard let mode = RawInputMode(input) else { return [] }
        defer { mode.restore() }
        fputs(query, stdout)
        fflush(stdout)
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 256)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMilliseconds) * 1_000_000
        while !graphicsAnswerIsComplete(answer) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            var ready = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { break }
            let count = read(input, &buffer, buffer.count)
            guard count > 0 else { break }
            answer += buffer[..<count]
        }
        return answer
    }
}
