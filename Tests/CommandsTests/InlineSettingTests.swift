@testable import Commands
import Foundation
import MTMC
import XCTest

/// `set inline` and when a picture is drawn in the terminal: the terminal asked once, nothing while recording,
/// while a script replays, or with `set inline off`.
final class InlineSettingTests: XCTestCase {
    private var printed: [String] = []
    private lazy var session = Session(out: OutputSink(print: { [unowned self] in printed.append($0) }))

    func testSetInlineTakesEachModeAndRefusesOthers() {
        for mode in InlineMode.allCases {
            XCTAssertEqual(execute("set inline \(mode.rawValue)", in: session), .success)
            XCTAssertEqual(session.settings.inline, mode)
        }
        XCTAssertEqual(execute("set inline png", in: session), .failure)
        XCTAssertEqual(session.settings.inline, .blocks)
        XCTAssertEqual(printed.last, "error: set inline: 'png' is not allowed; allowed: auto or off or kitty or iterm or sixel or blocks; it stays blocks")
        XCTAssertEqual(completions(before: ["set", "inline"], word: "", in: session), InlineMode.allCases.map(\.rawValue))
        printed = []
        XCTAssertEqual(execute("help set inline", in: session), .success)
        XCTAssertEqual(printed.first?.split(separator: "\n").first, "inline = blocks (default auto)")
        XCTAssertTrue(printed.first?.contains("change it: set inline auto|off|kitty|iterm|sixel|blocks") == true, printed.joined())
    }

    func testTheTerminalIsAskedOnceAndAutoTakesItsBest() {
        var asked = 0
        let ask = { asked += 1; return TerminalGraphics(best: .sixel, insideTmux: true) }
        XCTAssertEqual(inlineProtocol(for: session, ask: ask)?.graphics, .sixel)
        XCTAssertEqual(inlineProtocol(for: session, ask: ask)?.terminal.insideTmux, true)
        XCTAssertEqual(asked, 1)
        session.settings.inline = .kitty
        XCTAssertEqual(inlineProtocol(for: session, ask: ask)?.graphics, .kitty, "a named protocol whatever the terminal said")
        session.settings.inline = .auto
        session.terminalGraphics = TerminalGraphics(best: nil, insideTmux: false)
        XCTAssertNil(inlineProtocol(for: session, ask: ask), "a terminal that draws nothing gets nothing")
    }

    func testNothingIsDrawnWhenOffWhileRecordingOrWhileAScriptReplays() throws {
        let ask = { TerminalGraphics(best: .kitty, insideTmux: false) }
        session.settings.inline = .off
        XCTAssertNil(inlineProtocol(for: session, ask: ask))
        session.settings.inline = .blocks
        XCTAssertEqual(inlineProtocol(for: session, ask: ask)?.graphics, .blocks)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-inline-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        session.notebook = try Notebook(path: folder + "/notes.md", shown: "notes.md", header: "# notes\n")
        XCTAssertNil(inlineProtocol(for: session, ask: ask))
        session.notebook = nil

        try session.enterScript(folder + "/script.mtmc")
        XCTAssertNil(inlineProtocol(for: session, ask: ask))
        session.scripts.leave()
        XCTAssertEqual(inlineProtocol(for: session, ask: ask)?.graphics, .blocks)
    }
}
