@testable import Commands
import Foundation
import MTMC
import XCTest

/// The numbered defects of issue 17, one test each.
final class DefectTests: XCTestCase {
    /// #3: a folder is predicted in bounded batches, each reported before the next is decoded.
    func testPredictingAFolderStreamsBoundedBatches() throws {
        let h = Harness()
        h.run("load data"); h.run("model tiny")
        let trainer = try XCTUnwrap(h.session.trainer)
        func predict(batchSize: Int) throws -> [PredictionReport] {
            var reports: [PredictionReport] = []
            try predictImages([h.root + "/data/颜色/train/红", h.root + "/data/印花/val/人物"], shown: ["红", "人物"], model: trainer.model,
                              tasks: h.session.modelTasks, settings: h.session.settings.training, normalization: trainer.normalization,
                              calibration: [], pixelLimit: 1_000_000, batchSize: batchSize) { reports.append($0) }
            return reports
        }
        let streamed = try predict(batchSize: 4)
        XCTAssertEqual(streamed.map(\.results.count), [4, 4, 1])
        let whole = try predict(batchSize: 100)
        XCTAssertEqual(whole.count, 1)
        XCTAssertEqual(streamed.flatMap(\.results).map(\.path), whole[0].results.map(\.path))
        XCTAssertEqual(streamed.flatMap(\.results).map { $0.tasks.map { $0.scores[0].name } }, whole[0].results.map { $0.tasks.map { $0.scores[0].name } })
    }

    /// #3 and the weak-test list: `predict --tsv` writes one row per image and task, streamed.
    func testPredictWritesATSVRowPerImageAndTask() throws {
        let h = Harness()
        h.run("load data"); h.run("model tiny")
        let (result, text) = h.run("predict --tsv p.tsv data/颜色/val/红 data/missing.png")
        XCTAssertEqual(result, .success, text)
        XCTAssertTrue(text.hasSuffix("wrote 6 rows to p.tsv"), text)
        let data = try Data(contentsOf: URL(fileURLWithPath: h.root + "/p.tsv"))
        XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF], "a byte-order mark, so that Excel reads UTF-8")
        let rows = String(decoding: data.dropFirst(3), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(rows.count, 7)
        XCTAssertEqual(rows[0], "image\ttask\tclass\traw\tsoftmax\tconfidence\tall raw outputs")
        XCTAssertTrue(rows[1].hasPrefix("data/颜色/val/红/0.png\t印花\t"), String(rows[1]))
    }

    /// #4: an interrupt during a replayed script stops the script at that line, saying where.
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

    /// #5: the history file follows `$HOME` (shells do), not the password database.
    func testTheHistoryFileFollowsHOME() {
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone"]), "/tmp/someone/.local/state/mtmc/history")
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone", "XDG_STATE_HOME": "/tmp/state"]), "/tmp/state/mtmc/history")
        XCTAssertEqual(historyFilePath(environment: ["HOME": "/tmp/someone", "XDG_STATE_HOME": ""]), "/tmp/someone/.local/state/mtmc/history")
    }

    /// #6: a script that runs itself (directly or through another) is refused with the chain of files.
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

    /// #8: a refused value changes nothing; completion offers every setting's fixed values from the one list.
    func testRefusedFoldersChangeNothingAndEverySwitchCompletes() {
        let h = Harness()
        XCTAssertEqual(h.run("set logs \"\"").1, "error: set logs: '' is not allowed; allowed: a folder; it stays logs")
        XCTAssertEqual(h.session.settings.logsFolder, "logs")
        XCTAssertEqual(h.run("set plots \"\"").0, .failure)
        XCTAssertEqual(h.session.settings.plotsFolder, "plots")
        for setting in allSettings where setting.allowed == "on or off" {
            XCTAssertEqual(completions(before: ["set", setting.name], word: "", in: h.session), ["on", "off"], setting.name)
        }
        XCTAssertEqual(completions(before: ["set", "augment"], word: "", in: h.session), ["auto", "off", "light", "full"])
        XCTAssertEqual(completions(before: ["set", "bn"], word: "", in: h.session), ["mixed", "per-task", "shared"])
    }

    /// #10: a path with spaces typed without quotes gets a hint with the quotes.
    func testAnUnquotedPathWithSpacesGetsTheQuotedForm() {
        let h = Harness()
        XCTAssertEqual(h.run("load my data").1, "error: usage: load PATH; a path with spaces needs quotes: load \"my data\"")
        XCTAssertEqual(h.run("save my model.safetensors").1,
                       "error: usage: save PATH; a path with spaces needs quotes: save \"my model.safetensors\"")
        XCTAssertEqual(h.run("train 1 2").1, "error: usage: train N")
    }

    /// #10: an interrupted epoch reports only what happened.
    func testAnInterruptedEpochLineShowsOnlyWhatHappened() throws {
        // Records as the trainer writes them (its initialiser is internal to MTMC).
        func record(_ json: String) throws -> EpochRecord { try JSONDecoder().decode(EpochRecord.self, from: Data(json.utf8)) }
        let stats = #"{"images":8,"lossSum":8,"correct":4,"seconds":2}"#, empty = #"{"images":0,"lossSum":0,"correct":0,"seconds":0}"#
        let none = try record(#"{"epoch":1,"tasks":[\#(empty),\#(empty)],"partial":true,"steps":0,"plannedSteps":20,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(none, names: ["印花", "颜色"]), "epoch 2 stopped before its first step (0 of 20 steps)")
        let some = try record(#"{"epoch":1,"tasks":[\#(stats),\#(empty)],"partial":true,"steps":2,"plannedSteps":20,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(some, names: ["印花", "颜色"]),
                       "epoch 2 (partial: 2 of 20 steps)  印花 loss 1.000 top-1 50.0%  4 img/s  lr 0.01")
        let full = try record(#"{"epoch":0,"tasks":[\#(stats),\#(stats)],"partial":false,"steps":4,"plannedSteps":4,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(full, names: ["印花", "颜色"]),
                       "epoch 1  印花 loss 1.000 top-1 50.0%  颜色 loss 1.000 top-1 50.0%  4 img/s  lr 0.01")
    }

    /// #10: `help` fits a 100-column terminal: long usages and summaries wrap instead of padding every line.
    func testHelpFitsAHundredColumns() {
        let h = Harness()
        let text = h.run("help").1
        let widest = text.split(separator: "\n").map { displayWidth(String($0)) }.max() ?? 0
        XCTAssertLessThanOrEqual(widest, 100, text)
        // Wrapped between alternatives, never inside one.
        XCTAssertNotNil(text.range(of: #"\n  show calib CLASS \[TASK\] \| +calibration tables;"#, options: .regularExpression), text)
        XCTAssertNotNil(text.range(of: #"\n  show calib TASK \| +"#, options: .regularExpression), text)
        XCTAssertNotNil(text.range(of: #"\n  show report TASK \|[^\n]*\n  show worst TASK \[N\] \|\n  show why IMG \[TASK\] \[--class NAME\] \|\n  show data \[TASK\] \|\n"#,
                                   options: .regularExpression), text)
    }

    /// `-c` splits commands at `;` outside quotes only.
    func testCommandsSplitAtSemicolonsOutsideQuotes() throws {
        XCTAssertEqual(try splitCommands(#"predict "a;b.png" 'c;d'; eval ;; info"#), [#"predict "a;b.png" 'c;d'"#, " eval ", " info"])
        XCTAssertEqual(try splitCommands(#"load a\;b; info"#), [#"load a\;b"#, " info"])
        XCTAssertThrowsError(try splitCommands("load \"x;y"))
    }
}

/// One session state: every setting lives in `Session.settings`, and the trainer is handed it whenever
/// either changes, so no command (or caller) can leave the trainer with a stale copy.
final class SessionStateTests: XCTestCase {
    func testTheTrainerAlwaysHasTheSessionsSettings() throws {
        let h = Harness()
        h.run("load data")
        h.run("set bn shared")
        h.run("model tiny")
        let trainer = try XCTUnwrap(h.session.trainer)
        XCTAssertTrue(trainer.model.sharedStatistics)
        h.session.settings.training.learningRate = 0.7  // a direct change, not through `set`
        XCTAssertEqual(trainer.settings, h.session.settings.training)
        h.session.settings.sharedStatistics = false
        XCTAssertFalse(trainer.model.sharedStatistics)
        h.run("set seed 9"); h.run("balance base 3")
        XCTAssertEqual(trainer.settings.seed, 9)
        XCTAssertEqual(trainer.balance, h.session.balance)
        h.run("save m.safetensors")
        h.run("set lr 0.05")
        XCTAssertEqual(h.run("open m.safetensors").0, .success)
        let opened = try XCTUnwrap(h.session.trainer)
        XCTAssertEqual(opened.settings.learningRate, 0.7, "the checkpoint's settings, not those of before open")
        XCTAssertEqual(opened.settings, h.session.settings.training)
        XCTAssertEqual(opened.balance, h.session.balance)
    }
}

/// Ctrl-C during `load` and `eval` (issue 17's list of missing tests): the command stops, says so, and
/// the session keeps what it had.
final class InterruptTests: XCTestCase {
    func testCtrlCDuringLoadAndEvalKeepsTheSession() throws {
        let h = Harness()
        h.run("load data"); h.run("model tiny"); h.run("eval")
        let dataset = h.session.dataset, evaluations = h.session.evaluations.count
        h.session.isCancelled = { true }  // Ctrl-C arrives before the first poll (every 32 images per thread)
        let (loaded, text) = h.run("load data")
        XCTAssertEqual(loaded, .failure)
        XCTAssertTrue(text.hasPrefix("error: load of \(h.root)/data cancelled after "), text)
        XCTAssertTrue(text.hasSuffix("; nothing was loaded; the dataset loaded before is kept"), text)
        XCTAssertEqual(h.session.dataset?.root, dataset?.root)
        XCTAssertEqual(h.session.dataset?.cache.bytes, dataset?.cache.bytes)
        XCTAssertEqual(h.run("eval").0, .failure)
        XCTAssertEqual(h.session.evaluations.count, evaluations, "a cancelled eval keeps the last complete one")
    }
}

/// Completion of names with spaces: what is inserted keeps the name one word on the command line.
final class CompletionQuotingTests: XCTestCase {
    func testNamesWithSpacesAreEscapedAndCompleteAgainAfterTheSpace() throws {
        let h = Harness()
        try FileManager.default.createDirectory(atPath: h.root + "/my pictures 图片", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: h.root + "/my pictures 图片/a b.png", contents: Data())
        XCTAssertEqual(completionStep(head: "predict my", in: h.session), CompletionStep(insertion: #"\ pictures\ 图片/"#))
        // Second Tab, after the escaped spaces: the word is the whole name typed so far.
        let typing = wordsBeingTyped(#"predict my\ pictures\ 图片/a"#)
        XCTAssertEqual(typing.before, ["predict"])
        XCTAssertEqual(typing.word, "my pictures 图片/a")
        XCTAssertEqual(completionStep(head: #"predict my\ pictures\ 图片/a"#, in: h.session), CompletionStep(insertion: #"\ b.png "#))
        XCTAssertEqual(try splitWords(#"predict my\ pictures\ 图片/a\ b.png"#), ["predict", "my pictures 图片/a b.png"])
        // Inside an open double quote only quotes and backslashes are escaped, and a file closes the quote.
        XCTAssertEqual(completionStep(head: #"predict "my pic"#, in: h.session), CompletionStep(insertion: "tures 图片/"))
        XCTAssertEqual(completionStep(head: #"predict "my pictures 图片/"#, in: h.session), CompletionStep(insertion: "a b.png\" "))
        XCTAssertEqual(try splitWords(#"predict "my pictures 图片/a b.png" "#), ["predict", "my pictures 图片/a b.png"])
    }
}
