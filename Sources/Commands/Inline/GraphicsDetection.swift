import Foundation
import MTMC

/// The questions that learn what a terminal draws, in one write: kitty's graphics query (a 1×1 picture, id 31,
/// that a kitty terminal answers `ESC _Gi=31;OK ESC \` and does not keep), XTVERSION (`CSI > q`: the terminal's
/// name, which tells iTerm2), the cell size in pixels (`CSI 16 t`), and last the primary device attributes
/// (`CSI c`), which every terminal answers: its answer ends the wait, and lists 4 where sixel is drawn.
/// Inside tmux the first two go through tmux's passthrough, so an answer also shows that tmux lets them through.
public func graphicsQuery(insideTmux: Bool) -> String {
    let kitty = "\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\", version = "\u{1B}[>q"
    let outer = insideTmux ? tmuxPassthrough(kitty) + tmuxPassthrough(version) : kitty + version
    return outer + "\u{1B}[16t" + "\u{1B}[c"
}

/// Whether the terminal may be asked: not a dumb terminal (it draws nothing), nor the Linux console, which would
/// print kitty's query as text instead of ignoring it.
public func terminalMayBeAsked(environment: [String: String]) -> Bool {
    !["dumb", "linux"].contains(environment["TERM"] ?? "")
}

/// Whether `answer` holds the answer to the device attributes request, the last question: nothing more comes.
public func graphicsAnswerIsComplete(_ answer: [UInt8]) -> Bool {
    GraphicsAnswers(parsing: answer).deviceAttributes != nil
}

/// What a terminal answered to `graphicsQuery`, each part nil (or false) when it did not answer it.
public struct GraphicsAnswers: Equatable {
    /// kitty's graphics query came back OK.
    public var kittyOK = false
    /// The primary device attributes (`CSI ? 62;4;22 c` → [62, 4, 22]).
    public var deviceAttributes: [Int]?
    /// The terminal's name and version from XTVERSION (`DCS >| iTerm2 3.5 ST`).
    public var version: String?
    /// The cell size from `CSI 6;height;width t`.
    public var cellSize: ImageSize?

    public init(parsing answer: [UInt8]) {
        let text = String(decoding: answer, as: UTF8.self)
        kittyOK = text.contains("\u{1B}_Gi=31;OK\u{1B}\\")
        deviceAttributes = numbers(in: text, between: "\u{1B}[?", and: "c")
        if let cell = numbers(in: text, between: "\u{1B}[6;", and: "t"), cell.count == 2, cell[0] > 0, cell[1] > 0 {
            cellSize = ImageSize(width: cell[1], height: cell[0])
        }
        if let start = text.range(of: "\u{1B}P>|"), let end = text.range(of: "\u{1B}\\", range: start.upperBound..<text.endIndex) {
            version = String(text[start.upperBound..<end.lowerBound])
        }
    }
}

/// The `;`-separated numbers of the first `prefix` … `final` sequence in `text` holding only digits and `;`.
private func numbers(in text: String, between prefix: String, and final: Character) -> [Int]? {
    var rest = text[...]
    while let start = rest.range(of: prefix) {
        let body = rest[start.upperBound...].prefix { $0.isASCII && ($0.isNumber || $0 == ";") }
        if body.endIndex < rest.endIndex, rest[body.endIndex] == final {
            return body.split(separator: ";").compactMap { Int($0) }
        }
        rest = rest[start.upperBound...]
    }
    return nil
}

/// What the terminal draws, best first: kitty when it answered the kitty query; iTerm2 when XTVERSION names
/// it (or WezTerm, mintty, which draw its images too) or, outside tmux, TERM_PROGRAM / LC_TERMINAL do; sixel
/// when the device attributes list 4; kitty when, outside tmux, TERM or KITTY_WINDOW_ID name it though it did
/// not answer in time; half-blocks where COLORTERM says truecolor or 24bit; otherwise, and on a dumb terminal, nothing.
public func terminalGraphics(answers: GraphicsAnswers, environment: [String: String]) -> TerminalGraphics {
    let insideTmux = !(environment["TMUX"] ?? "").isEmpty
    guard environment["TERM"] != "dumb" else { return TerminalGraphics(best: nil, insideTmux: insideTmux) }
    let names = ["iTerm2", "WezTerm", "mintty"]
    let itermByVersion = answers.version.map { version in names.contains { version.contains($0) } } ?? false
    let itermByEnvironment = !insideTmux && (["iTerm.app", "WezTerm", "mintty"].contains(environment["TERM_PROGRAM"] ?? "")
                                             || environment["LC_TERMINAL"] == "iTerm2")
    let kittyByEnvironment = !insideTmux && (environment["TERM"] == "xterm-kitty" || environment["KITTY_WINDOW_ID"] != nil)
    let best: GraphicsProtocol?
    if answers.kittyOK {
        best = .kitty
    } else if itermByVersion || itermByEnvironment {
        best = .iterm
    } else if answers.deviceAttributes?.dropFirst().contains(4) == true {
        best = .sixel
    } else if kittyByEnvironment {
        best = .kitty
    } else if ["truecolor", "24bit"].contains(environment["COLORTERM"]?.lowercased() ?? "") {
        best = .blocks
    } else {
        best = nil
    }
    return TerminalGraphics(best: best, insideTmux: insideTmux, cellSize: answers.cellSize)
}
