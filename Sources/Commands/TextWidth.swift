/// Terminal columns a string occupies: East Asian wide and fullwidth characters take two.
public func displayWidth(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { $0 + scalarWidth($1) }
}

func scalarWidth(_ u: Unicode.Scalar) -> Int {
    let v = u.value
    if v == 0 || (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFEFF { return 0 }
    let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
    return wide.contains { $0.contains(v) } ? 2 : 1
}

/// `s` padded with spaces to `width` columns (left-aligned, or right-aligned for numbers).
public func padded(_ s: String, to width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - displayWidth(s)))
    return right ? fill + s : s + fill
}

/// A plain-text table whose columns line up in a terminal, Chinese names included.
public struct Table {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int>

    public init(headers: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public func render(indent: String = "  ") -> String {
        let all = [headers] + rows
        let columns = all.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in all.map { c < $0.count ? displayWidth($0[c]) : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { padded($1, to: widths[$0], right: rightAligned.contains($0)) }.joined(separator: "  ")
            return indent + String(text.reversed().drop { $0 == " " }.reversed())
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

/// `text` broken at spaces into lines of at most `width` columns (a longer word gets a line of its own).
public func wrapped(_ text: String, width: Int) -> [String] {
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ").map(String.init) {
        if !current.isEmpty && displayWidth(current) + 1 + displayWidth(word) > width {
            lines.append(current)
            current = word
        } else {
            current += current.isEmpty ? word : " " + word
        }
    }
    return lines + [current]
}

/// A usage line wrapped to `width` columns between its alternatives (after each ` | `) where it can be,
/// so that `show calib CLASS [TASK] | show calib TASK` breaks after the bar, not inside an alternative; only an
/// alternative wider than `longest` breaks between its words, so one long usage cannot widen a whole column.
public func wrappedUsage(_ usage: String, width: Int, longest: Int = .max) -> [String] {
    let noBreak: Character = "\u{00A0}"
    let alternatives = usage.components(separatedBy: " | ")
    let units = alternatives.enumerated().map { i, unit in
        let text = i + 1 < alternatives.count ? unit + " |" : unit
        return displayWidth(text) > longest ? text : String(text.map { $0 == " " ? noBreak : $0 })
    }
    return wrapped(units.joined(separator: " "), width: width).map { String($0.map { $0 == noBreak ? " " : $0 }) }
}
