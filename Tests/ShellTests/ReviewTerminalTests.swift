import Foundation
import XCTest

/// `review` at a real pseudo-terminal (tmux, detached): single keys act without Enter, and Ctrl-C in the middle
/// of the loop stops it with every decision made before it applied and logged, and the session going on.
final class ReviewTerminalTests: XCTestCase {
    private var socket = ""
    private var folder = ""

    /// A tmux client command through system(3), as InteractiveTests runs them; its output via a file.
    private func tmux(_ arguments: [String]) -> String {
        let capture = folder + "/tmux.out"
        let quoted = (["tmux", "-L", socket, "-f", "/dev/null"] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        _ = system("TERM=xterm-256color " + quoted.joined(separator: " ") + " > '\(capture)' 2>&1 < /dev/null")
        return (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
    }

    private func transcript() -> String { tmux(["capture-pane", "-p", "-J", "-S", "-1000", "-t", "t"]) }

    /// Waits until the transcript shows `text` `times` times; fails with the transcript after a minute.
    @discardableResult
    private func waitFor(_ text: String, times: Int = 1, file: StaticString = #filePath, line: UInt = #line) -> String {
        let deadline = Date().addingTimeInterval(120)
        var shown = ""
        while Date() < deadline {
            shown = transcript()
            if shown.components(separatedBy: text).count > times { return shown }
            usleep(100_000)
        }
        XCTFail("'\(text)' did not appear \(times) times; screen:\n\(shown)", file: file, line: line)
        return shown
    }

    /// Types a command at an idle prompt (the `n`th prompt line on the screen) and presses Enter.
    private func command(_ text: String, prompt n: Int) {
        waitFor("mtmc> ", times: n)
        _ = tmux(["send-keys", "-t", "t", "-l", text])
        waitFor("mtmc> " + text)
        _ = tmux(["send-keys", "-t", "t", "Enter"])
    }

    override func setUpWithError() throws {
        socket = "mtmc-review-\(getpid())-\(UUID().uuidString.prefix(8))"
        folder = MTMC.temporaryFolder()
        let copied = try MTMC.runCommand("/bin/cp", ["-r", MTMC.repository + "/samples/prints", folder + "/prints"], in: folder)
        XCTAssertEqual(copied.status, 0, copied.output)
        let started = tmux(["new-session", "-d", "-s", "t", "-x", "200", "-y", "50", "-c", folder,
                            "env HOME=\(folder) XDG_STATE_HOME=\(folder)/state LANG=C.UTF-8 \(MTMC.binary)"])
        struct TmuxDidNotStart: Error { let output: String }
        guard started.isEmpty else { throw TmuxDidNotStart(output: started) }
    }

    override func tearDownWithError() throws {
        _ = tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testSingleKeysDecideAndCtrlCStopsTheLoopKeepingEarlierDecisions() throws {
        for (n, line) in ["set size 16", "load prints", "model tiny", "eval"].enumerated() { command(line, prompt: n + 1) }
        command("review worst 颜色 3", prompt: 5)
        waitFor("[1/3] 颜色: ")
        waitFor("q quit > ")
        _ = tmux(["send-keys", "-t", "t", "r"])  // no Enter: one key decides
        let relabelled = waitFor("[2/3] 颜色: ")
        waitFor("q quit > ", times: 2)
        _ = tmux(["send-keys", "-t", "t", "k"])
        waitFor("[3/3] 颜色: ")
        waitFor("q quit > ", times: 3)
        _ = tmux(["send-keys", "-t", "t", "C-c"])
        let stopped = waitFor("review stopped by Ctrl-C after 2 of 3 items: 1 kept, 1 relabelled, 0 dropped, 0 skipped, 0 undone")
        XCTAssertTrue(stopped.contains("picture: plots/review_颜色_val_"), stopped)

        // the relabel is on disk and in the log; the session goes on
        let move = try XCTUnwrap(relabelled.components(separatedBy: "\n").first { $0.hasPrefix("  relabel 颜色/val/") }, relabelled)
        let now = try XCTUnwrap(move.components(separatedBy: ", now ").last)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/prints/" + now), move)
        let log = try String(contentsOfFile: folder + "/logs/curation.jsonl", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 1, log)
        XCTAssertTrue(log.contains(#""action": "relabel""#) && log.contains(#""to": "prints/"# + now + "\""), log)
        command("undo", prompt: 6)
        waitFor("undo relabel " + now)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/prints/" + now))
    }
}
