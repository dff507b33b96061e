@preconcurrency import CEdit
import Commands
import Foundation

/// The interactive prompt on libedit's readline interface: emacs-style editing, UTF-8 (wide characters),
/// history persisted in a file, and Tab completion from the session.
enum LineEditor {
    /// The session completion asks; set before the first prompt.
    nonisolated(unsafe) static var session: Session?
    /// The prompt on screen, for redrawing the line after a completion.
    nonisolated(unsafe) static var prompt = ""
    /// What Tab completes from at a prompt that asks for one of a few names (a class) instead of a command line.
    nonisolated(unsafe) static var candidates: [String]?

    /// The history file (`historyFilePath`), read once at start.
    static let historyPath = historyFilePath()

    static func start(session: Session) {
        self.session = session
        rl_readline_name = UnsafePointer(strdup("mtmc"))
        rl_initialize()
        // Tab runs mtmc's own completion rather than libedit's: that one hands its completion function the
        // word's start counted in characters beside a line counted in bytes, so a word after a Chinese one
        // would complete from the wrong place, and it pads listed candidates by bytes, so Chinese names
        // would not line up. Here the line is read in bytes up to the cursor, and listings align by display width.
        rl_add_defun("mtmc-complete", { _, _ in LineEditor.completeAtCursor(); return 0 }, 9)
        try? FileManager.default.createDirectory(atPath: (historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        stifle_history(2000)
        read_history(historyPath)
    }

    /// Most candidates one Tab lists; beyond them it says how many more there are.
    static let listingLimit = 200

    /// One Tab: inserts what the session's completion gives for the word before the cursor and redraws
    /// the line, or lists the candidates under it and draws the line again below them, or beeps.
    static func completeAtCursor() {
        guard let session, let buffer = rl_line_buffer else { return }
        let line = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, rl_end)))
        let point = min(max(0, Int(rl_point)), line.count)
        let head = String(decoding: line[..<point], as: UTF8.self)
        let step = candidates.map { completionStep(head: head, candidates: $0) } ?? completionStep(head: head, in: session)
        let columns = TerminalOutput.terminalColumns()
        let cursorRow = terminalRow(after: prompt + head, columns: columns)
        if !step.insertion.isEmpty {
            rl_insert_text(step.insertion)
            // libedit draws the whole line again from where it is told the prompt starts.
            write("\r" + (cursorRow > 0 ? "\u{1B}[\(cursorRow)A" : ""))
            rl_forced_update_display()
        } else if !step.listing.isEmpty {
            let endRow = terminalRow(after: prompt + String(decoding: line, as: UTF8.self), columns: columns)
            let shown = Array(step.listing.prefix(listingLimit))
            var rows = columnListing(shown, width: columns)
            if step.listing.count > shown.count { rows.append("… and \(step.listing.count - shown.count) more; type more of the name") }
            write((endRow > cursorRow ? "\u{1B}[\(endRow - cursorRow)B" : "") + "\r\n" + rows.joined(separator: "\r\n") + "\r\n")
            rl_forced_update_display()
        } else {
            write("\u{7}")
        }
    }

    /// The row (from 0) the cursor stands on after `text` is written from the first column of a terminal
    /// `columns` wide, wrapping as libedit does: a character that does not fit starts the next row, and a
    /// full row moves the cursor to the next.
    static func terminalRow(after text: String, columns: Int) -> Int {
        var row = 0, column = 0
        for scalar in text.unicodeScalars {
            let width = displayWidth(String(scalar))
            if column + width > columns { row += 1; column = 0 }
            column += width
            if column >= columns { row += 1; column = 0 }
        }
        return row
    }

    private static func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// Reads a line; nil at end of input (Ctrl-D). Ctrl-C at the prompt gives back an empty line. With
    /// `candidates`, Tab completes from them and the line is not kept in the history.
    static func readLine(prompt: String, candidates: [String]? = nil) -> String? {
        Interrupt.clear()
        self.prompt = prompt
        self.candidates = candidates
        defer { self.candidates = nil }
        guard let raw = readline(prompt) else {
            if Interrupt.isSet {  // Ctrl-C: the line is dropped; show a fresh prompt
                Interrupt.clear()
                Swift.print("")
                return ""
            }
            return nil
        }
        defer { free(raw) }
        let line = String(cString: raw)
        if candidates == nil, !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(raw)
            saveHistory()
        }
        return line
    }
}
