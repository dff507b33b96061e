import Commands
import Foundation
import MTMC
import Vision
import XCTest

/// A session whose output is collected, on a small two-task tree of solid-colour images (16×16 input).
final class Harness {
    let root: String
    let session: Session
    var output: [String] = []

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-commands-\(getpid())-\(UUID().uuidString.prefix(6))").path
        for (task, labels) in [("印花", ["人物", "卡通"]), ("颜色", ["红", "绿", "蓝"])] {
            for (index, label) in labels.enumerated() {
                for split in ["train", "val"] {
                    let folder = "\(root)/data/\(task)/\(split)/\(label)"
                    try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    for i in 0..<(split == "train" ? 6 : 3) {
                        let shade = UInt8(40 + index * 80 + i)
                        try! PNG.encode(RGBImage(width: 12, height: 12, pixels: [UInt8](repeating: shade, count: 432)))
                            .write(to: URL(fileURLWithPath: "\(folder)/\(i).png"))
                    }
                }
            }
        }
        var collected: [String] = []
        session = Session(out: OutputSink(print: { collected.append($0) }), workingDirectory: root)
        _ = collected
        session.out = OutputSink(print: { [unowned self] in self.output.append($0) })
        session.settings.training.inputWidth = 16
        session.settings.training.inputHeight = 16
        session.settings.training.batchSize = 4
    }

    /// A harness with the tree loaded and a tiny model made: where most tests of trained sessions start.
    static func withTinyModel() -> Harness {
        let h = Harness()
        h.run("load data"); h.run("model tiny")
        return h
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Runs lines, returning the output of the last one and its result.
    @discardableResult
    func run(_ line: String) -> (CommandResult, String) {
        output = []
        let result = execute(line, in: session)
        return (result, output.joined(separator: "\n"))
    }
}

final class SessionTests: XCTestCase {
    func testHelpListsEveryCommandAndShowsOneWithAnExample() {
        let h = Harness()
        let (result, text) = h.run("help")
        XCTAssertEqual(result, .success)
        for name in ["load PATH", "train N", "eval [val | train]", "calibrate [TASK]", "record FILE.md | record stop", "quit"] {
            XCTAssertTrue(text.contains(name), name)
        }
        XCTAssertEqual(h.run("help train").1, "usage: train N\n  train N epochs with the current settings, validating as it goes (Ctrl-C stops after the current step)\nexample: train 5")
    }

    func testLearningRateFindPrintsAChartASuggestionAndAPictureAndNamesABadTask() throws {
        let h = Harness.withTinyModel()
        let before = h.session.trainer!.model.checkpointTensors().map(\.tensor.scalars)
        let (result, text) = h.run("lr find 颜色")
        XCTAssertEqual(result, .success, text)
        let lines = text.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("lr find: ") && lines[0].contains(" steps of task 颜色 at batch 4; weights, batch-norm statistics and optimizer state put back"), text)
        XCTAssertTrue(lines.contains { $0.contains(" │") && $0.contains("•") }, "a terminal chart: \(text)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("suggested lr ") || $0.hasPrefix("no suggestion") }, text)
        XCTAssertEqual(lines.last, "wrote plots/lr_find.png")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/plots/lr_find.png"))
        XCTAssertEqual(h.session.trainer!.model.checkpointTensors().map(\.tensor.scalars), before)
        XCTAssertEqual(h.run("lr find 形状").1, "error: lr find: no task '形状'; tasks: 印花, 颜色")
        XCTAssertEqual(h.run("lr go").0, .failure)
    }

    func testSetTeacherLoadsACheckpointOfTheSameTasksAndNamesWhatIsWrong() throws {
        let h = Harness()
        XCTAssertEqual(h.run("set teacher t.safetensors").1.components(separatedBy: "\n").first,
                       "set teacher: no model yet; build one (model tiny|resnet18|darknet) or open one first")
        h.run("load data")
        h.run("model tiny")
        h.run("train 1")
        XCTAssertEqual(h.run("save t.safetensors").0, .success)
        XCTAssertEqual(h.run("set teacher t.safetensors").1, "teacher = t.safetensors")
        XCTAssertEqual(h.run("set distill 0.7").1, "distill = 0.7")
        XCTAssertEqual(h.run("train 1").0, .success)
        let missing = h.run("set teacher nothere.safetensors")
        XCTAssertEqual(missing.0, .failure)
        XCTAssertTrue(missing.1.contains("nothere.safetensors"), missing.1)
        XCTAssertTrue(missing.1.hasSuffix("it stays t.safetensors"), missing.1)
        h.session.settings.training.inputWidth = 20
        h.session.settings.training.inputHeight = 20
        h.run("model tiny")
        XCTAssertTrue(h.run("set teacher t.safetensors").1.hasPrefix("set teacher: t.safetensors takes 16x16 images, the model 20x20"))
        XCTAssertEqual(h.run("set teacher off").1, "teacher = off")
    }

    func testLearningRateAutoTrainsAtTheSweepsSuggestion() throws {
        let h = Harness.withTinyModel()
        XCTAssertEqual(h.run("set lr auto").1, "lr = auto")
        let (result, text) = h.run("train 1")
        XCTAssertEqual(result, .success, text)
        let lines = text.components(separatedBy: "\n")
        let suggested = try XCTUnwrap(lines.first?.components(separatedBy: "lr auto: lr find suggests ").last?.split(separator: " ").first)
        XCTAssertTrue(lines[0].contains(" (the rate at the smoothed loss's minimum ÷ 10) after "), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("plan: lr \(suggested), cosine over epochs 1–1"), text)
        XCTAssertEqual(h.run("set lr 0.2").1, "lr = 0.2")
        XCTAssertTrue(h.run("train 1").1.hasPrefix("plan: lr 0.2, "))
    }

    func testUnknownCommandsGetTheNearestNamesAndWrongArgumentsTheUsage() {
        let h = Harness()
        XCTAssertEqual(h.run("trian 3").1, "error: unknown command 'trian'; did you mean: train?")
        XCTAssertEqual(h.run("frobnicate").1, "error: unknown command 'frobnicate'; type help for the list")
        XCTAssertEqual(h.run("train").1, "error: usage: train N")
        XCTAssertEqual(h.run("load a b").1, "error: usage: load PATH; a path with spaces needs quotes: load \"a b\"")
        XCTAssertEqual(h.run("eval sideways").1, "error: usage: eval [val | train]")
        XCTAssertEqual(h.run("load \"unterminated").1, "error: unterminated quote in: load \"unterminated")
    }

    func testSetValidatesAndChangesNothingWhenRefused() {
        let h = Harness()
        XCTAssertEqual(h.run("set lr 0.2").1, "lr = 0.2")
        XCTAssertEqual(h.run("set lr 50").1, "error: set lr: '50' is not allowed; allowed: 1e-06 to 10.0, or auto; it stays 0.2")
        XCTAssertEqual(h.run("set batch 1").1, "error: set batch: '1' is not allowed; allowed: whole number 2 to 4096; it stays 4")
        XCTAssertEqual(h.run("set randaugment 2,9").1, "randaugment = 2,9.0")
        XCTAssertEqual(h.run("set randaugment 11,9").1,
                       "error: set randaugment: '11,9' is not allowed; allowed: N,M (N 1 to 10 operations, magnitude M 0 to 10) or off; it stays 2,9.0")
        XCTAssertEqual(h.run("set keep worst").1, "error: set keep: 'worst' is not allowed; allowed: best or last; it stays last")
        XCTAssertEqual(h.run("set augment strong").1, "error: set augment: 'strong' is not allowed; allowed: auto or off or light or full; it stays auto")
        XCTAssertEqual(h.run("set patience -1").1, "error: set patience: '-1' is not allowed; allowed: whole number 0 to 100000; it stays 0")
        XCTAssertEqual(h.run("set sched cosine").1, "error: set: unknown key 'sched'; did you mean schedule? (set lists them)")
        XCTAssertEqual(h.run("set size 48x32").1, "size = 48x32")
        XCTAssertEqual(h.run("set schedule linear").1, "error: set schedule: 'linear' is not allowed; allowed: step or cosine or onecycle; it stays cosine")
        XCTAssertTrue(h.run("set").1.contains("smoothing"))
    }

    func testModelAndTrainNeedADatasetFirst() {
        let h = Harness()
        XCTAssertEqual(h.run("model tiny").1, "error: model: no dataset loaded; use: load PATH")
        XCTAssertEqual(h.run("train 1").1, "error: train: no dataset loaded; use: load PATH")
        XCTAssertEqual(h.run("eval").1, "error: eval: no dataset loaded; use: load PATH")
        XCTAssertEqual(h.run("calibrate").1, "error: calibrate: no validation results yet; run eval first")
        XCTAssertEqual(h.run("model vgg").1, "error: model: unknown architecture 'vgg'; choose tiny, resnet18 or darknet")
    }

    func testAFailedLoadKeepsTheDatasetAlreadyLoaded() throws {
        let h = Harness()
        let (result, summary) = h.run("load data")
        XCTAssertEqual(result, .success, summary)
        XCTAssertTrue(summary.contains("task 印花: 2 classes, 12 train, 6 val"), summary)
        XCTAssertTrue(summary.contains("  人物       6    3        0       0"), summary)
        try FileManager.default.createDirectory(atPath: h.root + "/bad/t/train/a", withIntermediateDirectories: true)
        let (failed, message) = h.run("load bad")
        XCTAssertEqual(failed, .failure)
        XCTAssertEqual(message, "error: task t: class a has no images in \(h.root)/bad/t/train/a; the dataset loaded before is kept")
        XCTAssertEqual(h.session.dataset?.root, h.root + "/data")
    }

    func testTrainEvalCalibratePredictSaveOpenRoundTrip() throws {
        let h = Harness()
        h.run("load data")
        XCTAssertTrue(h.run("model tiny").1.hasPrefix("model tiny: "))
        let (trained, log) = h.run("train 2")
        XCTAssertEqual(trained, .success, log)
        let lines = log.components(separatedBy: "\n")
        XCTAssertEqual(lines.first, "plan: lr 0.05, cosine over epochs 1–2 (this run), batch 4, augment off (auto for 2 epochs), hflip off")
        XCTAssertEqual(lines.count, 5, log)
        XCTAssertEqual(lines.last, "log: logs/train_history.csv")
        let csv = try String(contentsOfFile: h.root + "/logs/train_history.csv", encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(csv.first, EpochCSVLog.header)
        XCTAssertEqual(csv.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }, ["1,印花", "1,颜色", "2,印花", "2,颜色", ""])
        for (index, line) in lines[1...2].enumerated() {
            XCTAssertTrue(line.hasPrefix("epoch \(index + 1)  印花 loss "), line)
            XCTAssertEqual(line.components(separatedBy: " val ").count, 3, "validation of both tasks: \(line)")
        }
        XCTAssertTrue(lines[3].hasPrefix("best val top-1: 印花 epoch "), log)
        XCTAssertTrue(lines[3].contains(", 颜色 epoch "), log)
        let (evaluated, table) = h.run("eval")
        XCTAssertEqual(evaluated, .success, table)
        XCTAssertTrue(table.contains("log: logs/VAL_印花_ConfusionMatrix_"), table)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.root + "/logs").count, 3, "two evaluation logs and the training CSV")
        let (calibrated, report) = h.run("calibrate")
        XCTAssertEqual(calibrated, .success, report)
        XCTAssertTrue(report.contains("cross-fitted (T "), report)
        // Both classes have 3 validation images and reach no level: said once for the task, not flagged on each.
        XCTAssertTrue(report.contains("fewer than 30 validation images (3 × calibmin), so every table rests on few samples"), report)
        XCTAssertFalse(report.contains("weak tables: 人物, 卡通"), report)
        let why = h.run("show calib 印花").1
        XCTAssertTrue(why.contains("\n  the validation set is too small: every class has fewer than 30 validation images (3 × calibmin)"), why)
        XCTAssertTrue(why.contains("\n  no class reaches level 0.80, which so few validation images alone can cause"), why)
        XCTAssertFalse(why.contains("weak: 人物"), why)
        XCTAssertTrue(h.run("show calib 人物").1.contains("class 人物 (task 印花): 3 validation samples of this class, 0/45 levels"))
        XCTAssertTrue(h.run("show calib 颜色").1.hasPrefix("task 颜色: temperature"))
        XCTAssertEqual(h.run("show calib 人").1.components(separatedBy: "; classes:").first,
                       "error: show calib: no class '人'; did you mean 人物?")
        XCTAssertEqual(h.run("show calib 红 印花").1, "error: show calib: class '红' belongs to task 颜色, not to 印花")
        let (predicted, predictions) = h.run("predict data/印花/val/人物/0.png data/missing.png")
        XCTAssertEqual(predicted, .success)
        XCTAssertTrue(predictions.hasPrefix("data/印花/val/人物/0.png\n  task  class"), predictions)
        XCTAssertTrue(predictions.contains("skipped data/missing.png: cannot read: No such file or directory"), predictions)
        XCTAssertEqual(h.run("export calib nowhere/c.json").1, "error: export calib: folder nowhere does not exist")
        XCTAssertEqual(h.run("export calib c.json").0, .success)
        // The export goes through the atomic writer: a folder or a FIFO in its place is refused, without blocking.
        try FileManager.default.createDirectory(atPath: h.root + "/taken.json", withIntermediateDirectories: true)
        XCTAssertTrue(h.run("export calib taken.json").1.hasPrefix("error: export calib: cannot write taken.json: "))
        XCTAssertEqual(mkfifo(h.root + "/pipe.json", 0o600), 0)
        XCTAssertTrue(h.run("export calib pipe.json").1.hasPrefix("error: export calib: cannot write pipe.json: "))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/c.json"))) as! [String: [String: Any]]
        XCTAssertEqual((json["印花"]?["pvals"] as? [Double])?.count, 45)
        XCTAssertEqual(json["印花"]?["class_idx_dict"] as? [String: String], ["0": "人物", "1": "卡通"])
        XCTAssertTrue(try String(contentsOfFile: h.root + "/c.json", encoding: .utf8).contains("\"人物\""))

        XCTAssertEqual(h.run("save m.safetensors").0, .success)
        let other = Harness()
        XCTAssertTrue(other.run("open \(h.root)/m.safetensors").1.hasPrefix("opened "))
        XCTAssertEqual(other.session.calibration.map(\.task), ["印花", "颜色"])
        XCTAssertEqual(other.run("predict \(h.root)/data/印花/val/人物/0.png").0, .success)
    }

    func testOpeningACheckpointWithOtherClassesIsRefused() throws {
        let h = Harness.withTinyModel()
        h.run("save m.safetensors")
        let other = Harness()
        try FileManager.default.moveItem(atPath: other.root + "/data/颜色/train/蓝", toPath: other.root + "/data/颜色/train/紫")
        try FileManager.default.moveItem(atPath: other.root + "/data/颜色/val/蓝", toPath: other.root + "/data/颜色/val/紫")
        other.run("load data")
        XCTAssertEqual(other.run("open \(h.root)/m.safetensors").1,
                       "error: open: the checkpoint's classes differ from the loaded dataset's: task 颜色: only in checkpoint: 蓝; only in dataset: 紫; nothing was changed")
        XCTAssertNil(other.session.trainer)
    }

    func testHistoryAndRunReplayAScript() throws {
        let h = Harness()
        h.run("set lr 0.03")
        h.run("set lr 99")
        h.run("st seed 9")
        h.run("set seed 9")
        XCTAssertEqual(h.run("history").1, "   1  set lr 0.03\n   2  set lr 99\n   3  st seed 9\n   4  set seed 9\n"
                       + "history save FILE writes the 2 that succeeded (an interrupted train as the epochs it ran)")
        XCTAssertEqual(h.run("history save s.mtmc").1, "saved 2 commands to s.mtmc; replay with: mtmc s.mtmc")
        let other = Harness()
        try FileManager.default.copyItem(atPath: h.root + "/s.mtmc", toPath: other.root + "/s.mtmc")
        XCTAssertEqual(other.run("run s.mtmc").1, "mtmc> set lr 0.03\nlr = 0.03\nmtmc> set seed 9\nseed = 9")
        try "set lr 0.5\nset lr 99\nset lr 0.6\n".write(toFile: other.root + "/bad.mtmc", atomically: true, encoding: .utf8)
        XCTAssertEqual(other.run("run bad.mtmc").1,
                       "mtmc> set lr 0.5\nlr = 0.5\nmtmc> set lr 99\nerror: set lr: '99' is not allowed; allowed: 1e-06 to 10.0, or auto; it stays 0.5\nerror: run: stopped at bad.mtmc:2")
    }

    func testRecordWritesAMarkdownNotebook() throws {
        let h = Harness()
        XCTAssertEqual(h.run("record nb.md").1, "recording to nb.md (pictures in nb_files/); record stop ends it")
        h.run("set lr 0.02")
        h.run("record stop")
        h.run("set lr 0.03")
        let text = try String(contentsOfFile: h.root + "/nb.md", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# mtmc session\n"))
        XCTAssertTrue(text.hasSuffix("```\nmtmc> set lr 0.02\nlr = 0.02\n```\n\n"), text)
    }

    func testTablesAlignChineseByDisplayWidth() {
        XCTAssertEqual(displayWidth("条纹a"), 5)
        let table = Table(headers: ["class", "n"], rows: [["条纹", "3"], ["Z", "12"]], rightAligned: [1]).render()
        XCTAssertEqual(table, "  class   n\n  条纹    3\n  Z      12")
    }

    func testWordsSplitOnSpacesWithQuotesAndEscapes() throws {
        XCTAssertEqual(try splitWords(#"load "my data/中文 目录"  # comment"#), ["load", "my data/中文 目录"])
        XCTAssertEqual(try splitWords(#"predict a\ b.png 'c d.jpg'"#), ["predict", "a b.png", "c d.jpg"])
    }

    func testCompletionOffersCommandsSettingsClassesAndPaths() throws {
        let h = Harness()
        h.run("load data")
        XCTAssertEqual(completions(before: [], word: "tr", in: h.session), ["train"])
        XCTAssertEqual(completions(before: ["set"], word: "sch", in: h.session), ["schedule"])
        XCTAssertEqual(completions(before: ["set", "schedule"], word: "", in: h.session), ["step", "cosine", "onecycle"])
        XCTAssertEqual(completions(before: ["show", "calib"], word: "人", in: h.session), ["人物"])
        XCTAssertEqual(completions(before: ["eval"], word: "", in: h.session), ["val", "train"])
        try FileManager.default.createDirectory(atPath: h.root + "/my pictures 图片", withIntermediateDirectories: true)
        XCTAssertEqual(completions(before: ["predict"], word: "my", in: h.session), ["my pictures 图片/"])
        XCTAssertEqual(completions(before: ["load"], word: "data/颜", in: h.session), ["data/颜色/"])
    }
}
