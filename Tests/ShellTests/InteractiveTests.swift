import Foundation
import XCTest

/// Drives `mtmc` in a real pseudo-terminal made by tmux (detached: no terminal needs to be attached),
/// typing with send-keys and reading the screen with capture-pane.
final class InteractiveTests: XCTestCase {
    private var socket = ""
    private var home = ""

    /// Runs a tmux client command through the shell (system(3)): Foundation's Process waits forever on
    /// the client of `new-session`, whose daemonised server keeps its descriptors. Output goes via a file.
    private func tmux(_ arguments: [String]) throws -> String {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-tmux-\(getpid()).out").path
        let quoted = (["tmux", "-L", socket, "-f", "/dev/null"] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        _ = system("TERM=xterm-256color " + quoted.joined(separator: " ") + " > '\(capture)' 2>&1 < /dev/null")
        defer { try? FileManager.default.removeItem(atPath: capture) }
        return (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
    }

    private func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "t"]) }

    /// The screen and what scrolled off it, with lines the terminal wrapped joined again.
    private func transcript() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-1000", "-t", "t"]) }

    /// The last line on the screen that is not blank: the prompt and what was typed after it.
    private func promptLine() throws -> String {
        try screen().split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
    }

    /// Waits until the prompt line reads `expected` (trailing spaces aside); fails with the screen after `seconds`.
    private func waitForPromptLine(_ expected: String, seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try promptLine().trimmingCharacters(in: .whitespaces) == expected { return }
            usleep(100_000)
        }
        XCTFail("the prompt line is not '\(expected)'; screen:\n\(try screen())", file: file, line: line)
    }

    /// Waits until the screen shows `text`; fails with the screen after `seconds`.
    @discardableResult
    private func waitFor(_ text: String, seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var shown = ""
        while Date() < deadline {
            shown = try screen()
            if shown.contains(text) { return shown }
            usleep(100_000)
        }
        XCTFail("'\(text)' did not appear; screen:\n\(shown)", file: file, line: line)
        return shown
    }

    private func keys(_ keys: String...) throws { _ = try tmux(["send-keys", "-t", "t"] + keys) }

    /// Waits for an idle prompt, types `text` until it shows on the prompt line (libedit can discard keys
    /// that arrive while it takes over the terminal), then sends `then` (e.g. Enter or Tab).
    private func atPrompt(_ text: String, _ then: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        func lastLine() throws -> String {
            try screen().split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try lastLine().trimmingCharacters(in: .whitespaces) != "mtmc>" { usleep(100_000) }
        for _ in 0..<10 {
            _ = try tmux(["send-keys", "-t", "t", "-l", text])
            usleep(500_000)
            if try lastLine().hasSuffix(text) { break }
            _ = try tmux(["send-keys", "-t", "t", "C-u"])
            usleep(200_000)
        }
        XCTAssertTrue(try lastLine().hasSuffix(text), "could not type '\(text)'", file: file, line: line)
        if let then { _ = try tmux(["send-keys", "-t", "t", then]) }
    }

    override func setUpWithError() throws {
        // A tmux server and home of its own per test: a new session on the socket of a server that the last
        // test's kill-server is still shutting down can die with it.
        let unique = "\(getpid())-\(UUID().uuidString.prefix(8))"
        socket = "mtmc-test-\(unique)"
        home = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-pty-\(unique)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let command = "env HOME=\(home) XDG_STATE_HOME=\(home)/state LANG=C.UTF-8 \(MTMC.binary)"
        let started = try tmux(["new-session", "-d", "-s", "t", "-x", "160", "-y", "45", "-c", MTMC.repository, command])
        // Fail at once: every later step would wait out its deadline on a session that is not there.
        struct TmuxDidNotStart: Error, CustomStringConvertible { let description: String }
        guard started.isEmpty else {
            throw TmuxDidNotStart(description: "tmux could not start (is it installed? tools/install-deps.sh installs it): \(started)")
        }
    }

    override func tearDownWithError() throws {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: home)
    }

    /// Input 16×16, the bundled samples loaded, a tiny model built.
    private func startWithSamplesAndATinyModel() throws {
        try atPrompt("set size 16", "Enter")
        try waitFor("size = 16x16")
        try atPrompt("load samples/prints", "Enter")
        try waitFor("task 颜色: 5 classes")
        try atPrompt("model tiny", "Enter")
        try waitFor("model tiny: ")
    }

    func testTypingCompletionCtrlCAndHistory() throws {
        try startWithSamplesAndATinyModel()

        // Tab completes a Chinese class name after `show calib`, and a command name.
        try atPrompt("show calib 条", "Tab")
        try waitFor("mtmc> show calib 条纹")
        try keys("C-u")
        try keys("bal", "Tab")
        try waitFor("mtmc> balance")
        try keys("C-u")

        // Ctrl-C at the prompt clears the line.
        try atPrompt("garbage that will not run")
        try keys("C-c")
        try atPrompt("set seed 4", "Enter")
        let afterClear = try waitFor("seed = 4")
        XCTAssertFalse(afterClear.contains("unknown command 'garbage'"), afterClear)

        // Ctrl-C during training stops after the current step; the session goes on.
        try atPrompt("train 200", "Enter")
        try waitFor("epoch 1  印花", seconds: 300)  // a full epoch: minutes on a machine busy with other builds
        try keys("C-c")
        try waitFor("interrupted: ")
        try atPrompt("info", "Enter")
        let info = try waitFor("epochs trained: ")
        XCTAssertTrue(info.contains("model: tiny"), info)

        try atPrompt("quit", "Enter")
        // The session ends when mtmc exits.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, try tmux(["has-session", "-t", "t"]).isEmpty { usleep(100_000) }
        XCTAssertFalse(try tmux(["has-session", "-t", "t"]).isEmpty, "mtmc did not exit after quit")
        // libedit writes history entries with spaces encoded as \040.
        let history = try String(contentsOfFile: home + "/state/mtmc/history", encoding: .utf8).replacingOccurrences(of: "\\040", with: " ")
        XCTAssertTrue(history.contains("load samples/prints"), history)
        XCTAssertTrue(history.contains("set seed 4"), history)
        XCTAssertFalse(history.contains("garbage"), history)
    }

    /// Ctrl-C during `check labels` stops the quick models with nothing reported; the session goes on.
    func testCtrlCStopsCheckLabels() throws {
        try startWithSamplesAndATinyModel()
        try atPrompt("set foldepochs 200", "Enter")
        try waitFor("foldepochs = 200")
        try atPrompt("check labels 印花", "Enter")
        try waitFor("check labels: quick model 1/3")
        try keys("C-c")
        try waitFor("error: check labels cancelled (stopped while training quick model 1 of 3); nothing reported")
        try atPrompt("show data 颜色", "Enter")
        try waitFor("task 颜色: 5 classes, 250 train, 80 val; imbalance 1.0")
    }

    /// Tab on a folder ending in a slash goes into it: Tab after Tab drills down, listing the children
    /// when they share nothing more; names with spaces and Chinese complete escaped, or inside quotes.
    func testTabDrillsIntoFoldersAndCompletesNamesWithSpacesAndChinese() throws {
        try atPrompt("load sa", "Tab")
        try waitForPromptLine("mtmc> load samples/")
        try keys("Tab")
        try waitForPromptLine("mtmc> load samples/pr")
        try keys("Tab")
        try waitFor("predict/  prints/")
        try waitForPromptLine("mtmc> load samples/pr")
        try keys("i", "Tab")
        try waitForPromptLine("mtmc> load samples/prints/")
        try keys("Tab")
        try waitFor("印花/  颜色/")
        try keys("Tab")  // still the same two children: listed again, nothing inserted
        try waitForPromptLine("mtmc> load samples/prints/")
        try keys("C-u")

        try atPrompt("predict samples/predict/sm", "Tab")
        try waitForPromptLine(#"mtmc> predict samples/predict/small\ flowers\ 碎花.png"#)
        try keys("C-u")
        try atPrompt(#"predict "samples/predict/small f"#, "Tab")
        try waitForPromptLine(#"mtmc> predict "samples/predict/small flowers 碎花.png""#)
    }

    /// A word after a Chinese word completes from its own start, and listed Chinese names line up by
    /// display width (two columns a character).
    func testCompletionAfterAChineseWordAndListingsAlignedByDisplayWidth() throws {
        try startWithSamplesAndATinyModel()
        try atPrompt("show calib 条纹")
        try keys("Space", "Tab")
        try waitFor("印花  颜色")
        try waitForPromptLine("mtmc> show calib 条纹")
        try keys("C-u")
        try atPrompt("plot samples 印花 迷", "Tab")
        try waitForPromptLine("mtmc> plot samples 印花 迷彩")
        try keys("C-u")
        try atPrompt("plot samples 印花")
        try keys("Space", "Tab")
        try waitFor("斑马纹  条纹    格子    波点    渐变色  碎花    纯色    迷彩")
    }

    /// `set` fits a narrow terminal: no line is wider than the window.
    func testSetListsSettingsWithinTheTerminalWidth() throws {
        _ = try tmux(["resize-window", "-t", "t", "-x", "72", "-y", "45"])
        try atPrompt("set", "Enter")
        try waitFor("set KEY (or help set KEY) explains one")
        let lines = try transcript().split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(of: "settings:") else { return XCTFail("no listing:\n\(lines.joined(separator: "\n"))") }
        let listing = lines[start...].prefix { !$0.hasPrefix("mtmc>") }
        XCTAssertGreaterThan(listing.count, 10)
        for line in listing { XCTAssertLessThanOrEqual(line.count, 72, line) }
        XCTAssertTrue(listing.contains { $0.contains("lr ") && $0.contains("0.05") }, listing.joined(separator: "\n"))
    }

    /// `history save` after a session with a typo, a refused value and an interrupted train writes a script
    /// that `mtmc FILE` replays without error to the same state: the same `info`.
    func testSavedHistoryReplaysToTheSameState() throws {
        try atPrompt("set size 16", "Enter")
        try waitFor("size = 16x16")
        try atPrompt("lod samples/prints", "Enter")
        try waitFor("unknown command 'lod'")
        try atPrompt("load samples/prints", "Enter")
        try waitFor("task 颜色: 5 classes")
        try atPrompt("set lr 99", "Enter")
        try waitFor("it stays 0.05")
        try atPrompt("set lr 0.1", "Enter")
        try waitFor("lr = 0.1")
        try atPrompt("model tiny", "Enter")
        try waitFor("model tiny: ")
        // Epochs of one step each, so the first ends soon even on a busy machine.
        try atPrompt("balance base 2", "Enter")
        try atPrompt("set validate 0", "Enter")
        try waitFor("validate = 0")
        try atPrompt("train 5000", "Enter")
        try waitFor("epoch 1  印花", seconds: 300)
        try keys("C-c")
        try waitFor("interrupted: ")
        try atPrompt("info", "Enter")
        try waitFor("epochs trained: ")
        try atPrompt("history save \(home)/s.mtmc", "Enter")
        try waitFor("replay with: mtmc")
        let typed = try transcript()

        let saved = try String(contentsOfFile: home + "/s.mtmc", encoding: .utf8)
        let epochs = try XCTUnwrap(infoLines(typed).first { $0.hasPrefix("epochs trained: ") }?.dropFirst("epochs trained: ".count))
        XCTAssertTrue(saved.contains("\n# train 5000: interrupted after \(epochs) epochs\ntrain \(epochs)\ninfo\n"), saved)
        XCTAssertFalse(saved.contains("lod ") || saved.contains("set lr 99") || saved.contains("train 5000\n"), saved)
        let replay = try MTMC.run([home + "/s.mtmc"], environment: ["HOME": home, "XDG_STATE_HOME": home + "/state"])
        XCTAssertEqual(replay.status, 0, replay.output)
        XCTAssertEqual(infoLines(replay.output), infoLines(typed), replay.output)
    }

    /// The lines `info` printed last in a transcript.
    private func infoLines(_ text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.lastIndex(where: { $0.hasPrefix("mtmc> info") }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.hasPrefix("mtmc>") && !$0.isEmpty })
    }
}
