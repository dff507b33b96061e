import Commands
import MTMC
import XCTest

/// What a terminal's answers and environment say it draws, and the questions that ask it.
final class GraphicsDetectionTests: XCTestCase {
    private let esc = "\u{1B}"
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testTheQuestionsEndWithDeviceAttributesAndGoThroughTmuxWithDoubledEscapes() {
        XCTAssertEqual(graphicsQuery(insideTmux: false),
                       "\(esc)_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\(esc)\\\(esc)[>q\(esc)[16t\(esc)[c")
        XCTAssertEqual(graphicsQuery(insideTmux: true),
                       "\(esc)Ptmux;\(esc)\(esc)_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\(esc)\(esc)\\\(esc)\\"
                       + "\(esc)Ptmux;\(esc)\(esc)[>q\(esc)\\\(esc)[16t\(esc)[c")
    }

    func testKittyAnsweringOKIsKitty() {
        let answers = GraphicsAnswers(parsing: bytes("\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;22c"))
        XCTAssertTrue(answers.kittyOK)
        XCTAssertEqual(answers.deviceAttributes, [62, 22])
        XCTAssertEqual(terminalGraphics(answers: answers, environment: [:]), TerminalGraphics(best: .kitty, insideTmux: false))
    }

    func testAKittyErrorAnswerIsNotKitty() {
        let answers = GraphicsAnswers(parsing: bytes("\(esc)_Gi=31;ENOTSUPPORTED:no\(esc)\\\(esc)[?62c"))
        XCTAssertFalse(answers.kittyOK)
        XCTAssertNil(terminalGraphics(answers: answers, environment: [:]).best)
    }

    func testDeviceAttributesListing4IsSixelAndTheCellSizeIsRead() {
        let answers = GraphicsAnswers(parsing: bytes("\(esc)[6;20;10t\(esc)[?63;1;2;4;6;9;15;22c"))
        XCTAssertEqual(answers.cellSize, ImageSize(width: 10, height: 20))
        XCTAssertEqual(terminalGraphics(answers: answers, environment: ["COLORTERM": "truecolor"]),
                       TerminalGraphics(best: .sixel, insideTmux: false, cellSize: ImageSize(width: 10, height: 20)))
    }

    func testDeviceAttributesWithout4AreHalfBlocksWhereTruecolorIsSaidOtherwiseNothing() {
        let answers = GraphicsAnswers(parsing: bytes("\(esc)[?64;1;2;6;9;15;18;21;22c"))
        XCTAssertEqual(terminalGraphics(answers: answers, environment: ["COLORTERM": "truecolor"]).best, .blocks)
        XCTAssertEqual(terminalGraphics(answers: answers, environment: ["COLORTERM": "24bit"]).best, .blocks)
        XCTAssertNil(terminalGraphics(answers: answers, environment: ["COLORTERM": "256"]).best)
        XCTAssertNil(terminalGraphics(answers: answers, environment: [:]).best)
    }

    func testITermIsKnownByItsEnvironmentOutsideTmuxOrByItsVersionAnswer() {
        let none = GraphicsAnswers(parsing: [])
        XCTAssertEqual(terminalGraphics(answers: none, environment: ["TERM_PROGRAM": "iTerm.app"]).best, .iterm)
        XCTAssertEqual(terminalGraphics(answers: none, environment: ["LC_TERMINAL": "iTerm2"]).best, .iterm)
        // Inside tmux the hint says nothing of whether tmux lets the sequence through.
        XCTAssertNil(terminalGraphics(answers: none, environment: ["LC_TERMINAL": "iTerm2", "TMUX": "/tmp/tmux-0/default,1,0"]).best)
        let version = GraphicsAnswers(parsing: bytes("\(esc)P>|iTerm2 3.5.0\(esc)\\\(esc)[?62;4c"))
        XCTAssertEqual(version.version, "iTerm2 3.5.0")
        XCTAssertEqual(terminalGraphics(answers: version, environment: ["TMUX": "/tmp/tmux-0/default,1,0"]),
                       TerminalGraphics(best: .iterm, insideTmux: true))
    }

    func testNoAnswerFallsBackOnTheEnvironment() {
        let none = GraphicsAnswers(parsing: [])
        XCTAssertEqual(none, GraphicsAnswers(parsing: bytes("garbage typed ahead")))
        XCTAssertEqual(terminalGraphics(answers: none, environment: ["TERM": "xterm-kitty"]).best, .kitty)
        XCTAssertEqual(terminalGraphics(answers: none, environment: ["COLORTERM": "truecolor"]).best, .blocks)
        XCTAssertNil(terminalGraphics(answers: none, environment: ["TERM": "xterm-256color"]).best)
    }

    func testADumbTerminalOrTheLinuxConsoleIsNotAskedAndADumbOneDrawsNothing() {
        XCTAssertFalse(terminalMayBeAsked(environment: ["TERM": "dumb"]))
        XCTAssertFalse(terminalMayBeAsked(environment: ["TERM": "linux"]))
        XCTAssertTrue(terminalMayBeAsked(environment: ["TERM": "xterm-256color"]))
        XCTAssertNil(terminalGraphics(answers: GraphicsAnswers(parsing: []), environment: ["TERM": "dumb", "COLORTERM": "truecolor"]).best)
    }

    func testTheAnswerIsCompleteOnlyOnceTheDeviceAttributesHaveCome() {
        XCTAssertFalse(graphicsAnswerIsComplete(bytes("\(esc)_Gi=31;OK\(esc)\\")))
        XCTAssertFalse(graphicsAnswerIsComplete(bytes("\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;4")))
        XCTAssertTrue(graphicsAnswerIsComplete(bytes("\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;4c")))
    }
}
