@testable import Commands
import Foundation
import MTMC
import XCTest

/// Scripts replayed with `run` (and by the shell): where an interrupt stops them, and scripts that run themselves.
final class ScriptReplayTests: XCTestCase {
    /// An interrupt during a replayed script stops the script at that line, saying where.
    func testAnInterruptStopsAReplayedScriptSayingWhere() throws {
        let h = Harness()
        try "set lr 0.1\nset lr 0.2\nset lr 0.3\n".write(toFile: h.root + "/s.mtmc", atomically: true, encoding: .utf8)
        // Ctrl-C "arrives" while the second line runs.
        h.session.isCancelled = { h.session.settings.training.learningRate == 0.2 }
        let (result, text) = h.run("run s.mtmc")
        XCTAssertEqual(result, .failure)
        XCTAssertEqual(text, "mtmc> set lr 0.1\nlr = 0.1\nmtmc> set lr 0.2\nlr = 0.2\nerror: run: interrupted at s.mtmc:2; the rest of the script was not run")
        XCTAssertEqual(h.session.settings.training.learningRate, 0.2)
        // The shell's replay stops too, even when told to keep going after errors.
        h.session.isCancelled = { h.session.settings.training.learningRate == 0.25 }
        let outcome = replay(["set lr 0.3", "set lr 0.25", "set lr 0.4"], in: h.session, echo: false, keepGoing: true, recordHistory: false)
        XCTAssertEqual(outcome.stop, .interrupted(line: 2))
        XCTAssertEqual(h.session.settings.training.learningRate, 0.25)
    }

    /// A script that runs itself (directly or through another) is refused with the chain of files.
    func testRunRefusesAScriptThatRunsItself() throws {
        let h = Harness()
        try "set lr 0.1\nrun b.mtmc\n".write(toFile: h.root + "/a.mtmc", atomically: true, encoding: .utf8)
        try "run ./a.mtmc\n".write(toFile: h.root + "/b.mtmc", atomically: true, encoding: .utf8)
        let (result, text) = h.run("run a.mtmc")
        XCTAssertEqual(result, .failure)
        XCTAssertEqual(text, """
            mtmc> set lr 0.1
            lr = 0.1
            mtmc> run b.mtmc
            mtmc> run ./a.mtmc
            error: run: ./a.mtmc is already running (a.mtmc → b.mtmc → ./a.mtmc); a script cannot run itself
            error: run: stopped at b.mtmc:1
            error: run: stopped at a.mtmc:2
            """)
        // The chain is unwound: the same script runs again afterwards.
        try "set lr 0.4\n".write(toFile: h.root + "/b.mtmc", atomically: true, encoding: .utf8)
        XCTAssertEqual(h.run("run a.mtmc").0, .success)
    }
}
