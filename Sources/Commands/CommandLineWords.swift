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
