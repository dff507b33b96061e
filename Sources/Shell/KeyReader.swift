import Commands
import Foundation

/// The session's answers to `review`'s questions. On a terminal: one key, read with the terminal out of line
/// mode and without echo (signals stay on, so Ctrl-C interrupts the read), and a class name at a line-editing
/// prompt that Tab completes. Otherwise (a script on standard input): one line per question, echoed after the
/// prompt so a transcript shows what was answered.
enum KeyReader {
    static func input() -> KeyInput {
        guard isatty(STDIN_FILENO) == 1 else {
            return KeyInput(key: { prompt in scriptLine(prompt) }, line: { prompt, _ in scriptLine(prompt) })
        }
        return KeyInput(key: { prompt in
            write(prompt)
            let key = readKey()
            write((key.map { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 } ? $0 : "" } ?? "") + "\n")
            return key
        }, line: { prompt, candidates in
            let line = LineEditor.readLine(prompt: prompt, candidates: candidates)
            return Interrupt.isSet ? nil : line
        })
    }

    /// The next line of standard input after `prompt`, echoed; nil at its end.
    private static func scriptLine(_ prompt: String) -> String? {
        let line = Swift.readLine()
        write(prompt + (line ?? "") + "\n")
        return line
    }

    /// One character typed on the terminal (a whole UTF-8 sequence); nil on Ctrl-D, Ctrl-C (the read is
    /// interrupted) or a read that fails. An escape sequence (an arrow key) comes back as ESC alone, the rest of it read and dropped.
    static func readKey() -> String? {
        guard let mode = RawInputMode(STDIN_FILENO) else { return nil }
        defer { mode.restore() }
        guard let first = readByte(), first != 4 else { return nil }
        if first == 0x1B {
            while pendingInput() { _ = readByte() }
            return "\u{1B}"
        }
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        var bytes = [first]
        while bytes.count < length, let next = readByte() { bytes.append(next) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One byte of standard input; nil when the read is interrupted (Ctrl-C) or fails.
    private static func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    /// Whether more input is waiting within a tenth of a second (the rest of an escape sequence).
    private static func pendingInput() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 100) > 0
    }

    private static func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
}
