import Foundation
import XCTest

/// Files mtmc writes over a session (the notebook, the training log) replaced by a link while it runs:
/// the link is never followed, and the session says what happened.
final class ReplacedFilesEndToEndTests: XCTestCase {
    private var folder = ""
    private var victim = ""

    override func setUpWithError() throws {
        folder = MTMC.temporaryFolder()
        victim = folder + "/victim.txt"
        try "someone else's file\n".write(toFile: victim, atomically: false, encoding: .utf8)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func replaceByLink(_ path: String) throws {
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
    }

    func testANotebookReplacedByALinkStopsRecordingAndTheLinkIsNotFollowed() throws {
        let session = try PipedSession(in: folder)
        session.send("record notes.md", until: "record stop ends it")
        session.send("set lr 0.5", until: "lr = 0.5")
        // The command's block goes into the notebook after its output: wait for it (a minute at most, on a loaded machine).
        let block = "```\nmtmc> set lr 0.5\nlr = 0.5\n```\n\n"
        for _ in 0..<600 where !((try? String(contentsOfFile: folder + "/notes.md", encoding: .utf8))?.hasSuffix(block) ?? false) { usleep(100_000) }
        XCTAssertTrue(try String(contentsOfFile: folder + "/notes.md", encoding: .utf8).hasSuffix(block))
        try replaceByLink(folder + "/notes.md")
        let stopped = session.send("set lr 0.6", until: "recording stopped")
        XCTAssertEqual(stopped, "lr = 0.6\nerror: record: cannot append to notes.md: it was replaced by a symbolic link; recording stopped\n")
        XCTAssertEqual(session.send("set lr 0.7", until: "lr = 0.7"), "lr = 0.7\n", "no more notebook errors: recording has stopped")
        XCTAssertEqual(session.finish(), 0, session.transcript)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "someone else's file\n")
    }

    func testATrainingLogReplacedByALinkIsNotWrittenThrough() throws {
        let session = try PipedSession(in: folder)
        for (command, answer) in [("set size 16", "size = 16x16"), ("load \(MTMC.repository)/samples/prints", "task 颜色"),
                                  ("balance base 4", "balance: base 4"), ("model tiny", "model tiny:"), ("train 1", "log: logs/train_history.csv")] {
            session.send(command, until: answer)
        }
        let log = folder + "/logs/train_history.csv"
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count, 3)
        try replaceByLink(log)
        session.send("train 1", until: "log not written: cannot append to \(log): it is a symbolic link, which is not followed")
        XCTAssertEqual(session.finish(), 0, session.transcript)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "someone else's file\n")
    }
}

/// The prompt's history file replaced by a link while the prompt runs (in a pseudo-terminal, so libedit runs).
final class ReplacedHistoryFileEndToEndTests: XCTestCase {
    func testAHistoryFileReplacedByALinkIsNotWrittenThroughAndSavingStops() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let victim = folder + "/victim.txt", history = folder + "/state/mtmc/history"
        try "someone else's file\n".write(toFile: victim, atomically: false, encoding: .utf8)
        let session = try PipedSession(in: folder, environment: ["XDG_STATE_HOME": folder + "/state", "TERM": "dumb"], terminal: true)
        session.read(until: "mtmc> ")
        session.send("set lr 0.5", until: "lr = 0.5\r\nmtmc> ")
        XCTAssertTrue(try String(contentsOfFile: history, encoding: .utf8).contains("0.5"))
        try FileManager.default.removeItem(atPath: history)
        try FileManager.default.createSymbolicLink(atPath: history, withDestinationPath: victim)
        let stopped = session.send("set lr 0.6", until: "lr = 0.6\r\nmtmc> ")
        XCTAssertTrue(stopped.contains("history: \(history) is a symbolic link now, not the history file; history is no longer saved\r\n"), stopped)
        let after = session.send("set lr 0.7", until: "lr = 0.7\r\nmtmc> ")
        XCTAssertFalse(after.contains("history:"), "said once: \(after)")
        session.send("quit", until: "quit")
        XCTAssertEqual(session.finish(), 0, session.transcript)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "someone else's file\n")
    }
}
