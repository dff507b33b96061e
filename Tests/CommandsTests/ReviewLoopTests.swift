import Commands
import Foundation
import MTMC
import XCTest

/// The review loop driven by scripted answers, as a script on standard input drives it.
final class ReviewLoopTests: XCTestCase {
    /// Answers `keys` one per question (nil: Ctrl-C, which the session's cancellation flag then reports).
    private func answering(_ h: Harness, _ keys: [String?]) -> () -> [String] {
        var remaining = keys, asked: [String] = []
        var interrupted = false
        h.session.isCancelled = { interrupted }
        h.session.input = KeyInput(key: { prompt in
            asked.append(prompt)
            guard !remaining.isEmpty else { return nil }
            let key = remaining.removeFirst()
            if key == nil { interrupted = true }
            return key
        }, line: { _, _ in remaining.isEmpty ? nil : remaining.removeFirst() })
        return { asked }
    }

    func testDuplicatesAreReviewedOneByOneAndCtrlCKeepsTheDecisionsMadeBefore() throws {
        let h = Harness()
        XCTAssertEqual(h.run("load data").0, .success)
        let asked = answering(h, ["k", "d", "c", "卡通", "u", "x", "s", nil, "k"])
        let (result, text) = h.run("review dupes")
        XCTAssertEqual(result, .success, text)
        let items = text.components(separatedBy: "\n").filter { $0.hasPrefix("[") }
        // every val image of 印花 and 颜色 has an exact copy in train (the same shade): train/val leaks, partner first
        XCTAssertEqual(items.first, "[1/15] 印花: 印花/val/人物/0.png", text)
        XCTAssertTrue(text.contains("  val · truth 人物 · exact train/val leak · partner 印花/train/人物/0.png (人物, train)"), text)
        XCTAssertTrue(text.contains("  file: data/印花/val/人物/0.png"), text)
        XCTAssertTrue(text.contains("  picture: plots/review_印花_val_人物_0.png"), text)
        XCTAssertTrue(text.contains("  kept\n[2/15] 印花: 印花/val/人物/1.png"), text)
        XCTAssertTrue(text.contains("  drop 印花/val/人物/1.png: 人物 → quarantine, now data.quarantine/印花/val/人物/1.png\n[3/15] 印花: 印花/val/人物/2.png"), text)
        XCTAssertTrue(text.contains("  relabel 印花/val/人物/2.png: 人物 → 卡通, now 印花/val/卡通/2-1.png\n[4/15]"), text)
        // u undoes the relabel and steps back to its item; x is no key; s skips; Ctrl-C stops
        XCTAssertTrue(text.contains("  undo relabel 印花/val/卡通/2-1.png: 卡通 → 人物, now 印花/val/人物/2.png\n[3/15] 印花: 印花/val/人物/2.png"), text)
        XCTAssertTrue(text.contains("  keys: k keep, r relabel to the proposed class, c another class, d drop, s skip, u undo, q quit\n  skipped\n[4/15]"), text)
        XCTAssertTrue(text.hasSuffix("review stopped by Ctrl-C after 3 of 15 items: 1 kept, 1 relabelled, 1 dropped, 1 skipped, 1 undone; every relabel and drop is applied and logged in logs/curation.jsonl"), text)
        XCTAssertEqual(asked().count, 7)
        XCTAssertTrue(asked()[0].hasPrefix("k keep · c other class · d drop"), asked()[0])  // a leak of one class proposes no class
        // what was decided stays decided: the drop is on disk, in the dataset and in the log; the undone relabel is not
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/data.quarantine/印花/val/人物/1.png"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/data/印花/val/人物/2.png"))
        XCTAssertEqual(h.session.dataset!.tasks[0].val.count, 5)
        XCTAssertEqual(h.session.curationMoves.map(\.action), ["drop"])
        let log = try String(contentsOfFile: h.root + "/logs/curation.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 3)
        XCTAssertEqual(h.run("info").0, .success)
    }

    func testWorstImagesOfferTheirPredictionAfterAnUndoneRelabel() throws {
        let h = Harness()
        for line in ["load data", "model tiny", "eval"] { XCTAssertEqual(h.run(line).0, .success) }
        let worst = try XCTUnwrap(h.run("show worst 颜色 3").1.components(separatedBy: "\n").dropFirst(2).first)
        let fields = worst.split(separator: " ").map(String.init)  // image, true, predicted, …
        XCTAssertEqual(h.run("relabel \(fields[0]) \(fields[1] == "红" ? "绿" : "红")").0, .success)
        XCTAssertEqual(h.run("undo").0, .success)
        _ = answering(h, ["r", "q"])
        let (result, text) = h.run("review worst 颜色 3")
        XCTAssertEqual(result, .success, text + "\n" + worst)
        XCTAssertTrue(text.contains("[1/3] 颜色: \(fields[0])\n  val · truth \(fields[1]) · predicted \(fields[2]) · p(truth) "), text)
        XCTAssertTrue(text.contains("  relabel \(fields[0]): \(fields[1]) → \(fields[2]), now "), text)
        XCTAssertTrue(text.hasSuffix("review stopped by q after 1 of 3 items: 0 kept, 1 relabelled, 0 dropped, 0 skipped, 0 undone; every relabel and drop is applied and logged in logs/curation.jsonl"), text)
    }

    func testSuspectsRelabelledSinceCheckLabelsArePassedOver() throws {
        let h = Harness()
        XCTAssertEqual(h.run("load data").0, .success)
        let task = h.session.dataset!.tasks[1]  // 颜色: 红 绿 蓝, 3 val images each
        // outputs confident in each image's own class, but in 绿 for the first 红 image: a suspect
        let logits = task.val.enumerated().flatMap { row, sample in (0..<3).map { c in Float(row == 0 ? (c == 1 ? 8 : 0) : (c == sample.label ? 5 : 0)) } }
        h.session.labelChecks = [LabelCheck(task: task, split: "val", samples: task.val, logits: logits)]
        XCTAssertEqual(h.session.labelChecks[0].result.suspects.map(\.row), [0])
        _ = answering(h, ["q"])
        XCTAssertTrue(h.run("review suspects 颜色").1.hasPrefix("[1/1] 颜色: 颜色/val/红/0.png\n  val · truth 红 · suggested 绿 · p(truth) "))
        XCTAssertEqual(h.run("relabel 颜色/val/红/0.png 蓝").0, .success)
        XCTAssertEqual(h.run("review suspects").1, """
            [1/1] 颜色/val/蓝/0-1.png: relabelled or dropped since the finding; passed over
            review done (1 item): 0 kept, 0 relabelled, 0 dropped, 0 skipped, 0 undone; every relabel and drop is applied and logged in logs/curation.jsonl
            """)
    }

    func testReviewSaysWhatItNeeds() {
        let h = Harness()
        XCTAssertEqual(h.run("review dupes").1, "error: review: no dataset loaded; use: load PATH")
        XCTAssertEqual(h.run("load data").0, .success)
        XCTAssertEqual(h.run("review suspects").1, "error: review suspects: no check labels results; run check labels first")
        XCTAssertEqual(h.run("review worst 颜色").1, "error: review worst: no evaluation yet; run eval first")
        XCTAssertEqual(h.run("review").1, "error: usage: review suspects [TASK] | review worst TASK [N] | review dupes")
    }
}
