/// Splits a command line into words: spaces separate, "double" and 'single' quotes group (so paths
/// with spaces work), a backslash escapes the next character, and `#` starts a comment outside quotes.
public func splitWords(_ line: String) throws -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for ch in line {
        if escaped { current.append(ch); escaped = false; inWord = true; continue }
        if ch == "\\" && quote != "'" { escaped = true; inWord = true; continue }
        if let q = quote {
            if ch == q { quote = nil } else { current.append(ch) }
            continue
        }
        switch ch {
        case "\"", "'": quote = ch; inWord = true
        case " ", "\t":
            if inWord { words.append(current); current = ""; inWord = false }
        case "#" where !inWord:
            return words
        default:
            current.append(ch); inWord = true
        }
    }
    if quote != nil { throw CommandError("unterminated quote in: \(line)") }
    if inWord { words.append(current) }
    return words
}

/// A word quoted for a command line when it needs it (spaces, quotes).
public func quotedWord(_ word: String) -> String {
    guard word.isEmpty || word.contains(where: { " \t\"'\\#".contains($0) }) else { return word }
    return "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Splits a `-c` argument into command lines at `;` outside quotes (and not escaped), so that
/// `-c 'predict "a;b.png"; eval'` is two commands. Quotes and escapes stay for `splitWords`.
public func splitCommands(_ text: String) throws -> [String] {
    var lines: [String] = [], current = ""
    var quote: Character?, escaped = false
    for ch in text {
        if escaped { current.append(ch); escaped = false; continue }
        if ch == "\\" && quote != "'" { escaped = true; current.append(ch); continue }
        if let q = quote { if ch == q { quote = nil }; current.append(ch); continue }
        if ch == "\"" || ch == "'" { quote = ch }
        if ch == ";" { lines.append(current); current = ""; continue }
        current.append(ch)
    }
    if quote != nil { throw CommandError("unterminated quote in: \(text)") }
    lines.append(current)
    return lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
}

/// The words of a line typed so far, as completion needs them: the finished words, the word being typed
/// (quotes removed, escapes applied) and the quote left open in it, if any. Never fails: an unterminated
/// quote is what a line looks like while it is typed.
public func wordsBeingTyped(_ head: String) -> (before: [String], word: String, openQuote: Character?) {
    var words: [String] = [], current = ""
    var quote: Character?, escaped = false
    for ch in head {
        if escaped { current.append(ch); escaped = false; continue }
        if ch == "\\" && quote != "'" { escaped = true; continue }
        if let q = quote { if ch == q { quote = nil } else { current.append(ch) }; continue }
        switch ch {
        case "\"", "'": quote = ch
        case " ", "\t": if !current.isEmpty { words.append(current); current = "" }
        default: current.append(ch)
        }
    }
    return (words, current, quote)
}

/// `text` as it is typed on a command line after what came before it: inside single quotes as it is,
/// inside double quotes with quotes and backslashes escaped, elsewhere with spaces, quotes, backslashes
/// and `#` escaped too (`my\ pictures/` for a folder with a space), so the line splits into the same words.
public func escapedForCommandLine(_ text: String, openQuote: Character?) -> String {
    if openQuote == "'" { return text }  // nothing is special inside single quotes but the quote
    let special: Set<Character> = openQuote == "\"" ? ["\"", "\\"] : [" ", "\t", "\"", "'", "\\", "#"]
    return text.reduce(into: "") { out, ch in
        if special.contains(ch) { out.append("\\") }
        out.append(ch)
    }
}
