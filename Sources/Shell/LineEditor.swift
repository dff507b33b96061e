@preconcurrency import CEdit
import Commands
import Foundation

/// The interactive prompt on libedit's readline interface: emacs-style editing, UTF-8 (wide characters),
/// history persisted in a file, and Tab completion from the session.
enum LineEditor {
    /// The session completion asks; set before the first prompt.
    nonisolated(unsafe) static var session: Session?
    /// Candidates of the current completion, handed out one by one to libedit.
    nonisolated(unsafe) static var candidates: [String] = []

    /// The history file (`historyFilePath`), read once at start.
    static let historyPath = historyFilePath()

    static func start(session: Session) {
        self.session = session
        rl_readline_name = UnsafePointer(strdup("mtmc"))
        // Break words at spaces only: paths and Chinese names are single words.
        rl_completer_word_break_characters = strdup(" \t\n")
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            LineEditor.prepareCandidates(word: text.map { String(cString: $0) } ?? "", start: Int(start))
            guard !LineEditor.candidates.isEmpty else { return nil }
            return rl_completion_matches(text, { _, state in
                let index = Int(state)
                guard index < LineEditor.candidates.count else { return nil }
                return strdup(LineEditor.candidates[index])
            })
        }
        try? FileManager.default.createDirectory(atPath: (historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        stifle_history(2000)
        read_history(historyPath)
    }

    /// Asks the session for candidates; the words before the cursor's word come from libedit's line buffer.
    static func prepareCandidates(word: String, start: Int) {
        guard let session, let buffer = rl_line_buffer else { candidates = []; return }
        let line = Array(String(cString: buffer).utf8)
        // The editor splits at every space; the shell's words may hold escaped or quoted spaces.
        let head = String(decoding: line.prefix(min(start, line.count)), as: UTF8.self) + word
        let typing = wordsBeingTyped(head)
        candidates = completions(before: typing.before, word: typing.word, in: session).map {
            completionInsertion($0, typed: typing.word, editorWord: word, openQuote: typing.openQuote)
        }
        // A single folder candidate should not end the word with a space.
        rl_completion_append_character = candidates.count == 1 && candidates[0].hasSuffix("/") ? 0 : 32
    }

    /// Reads a line; nil at end of input (Ctrl-D). Ctrl-C at the prompt gives back an empty line.
    static func readLine(prompt: String) -> String? {
        Interrupt.clear()
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
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(raw)
            saveHistory()
        }
        return line
    }
}
