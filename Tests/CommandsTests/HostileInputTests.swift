@testable import Commands
import Engine
import Foundation
import Vision
import MTMC
import XCTest

/// Kinds of hostile input, seen through the shell's commands: each leaves the session intact.
final class HostileInputTests: XCTestCase {
    /// A trained, evaluated and calibrated session.
    private func calibrated() -> Harness {
        let h = Harness()
        for line in ["load data", "model tiny", "train 1", "eval", "calibrate"] { XCTAssertEqual(h.run(line).0, .success, line) }
        return h
    }

    /// State that outlives what it describes: a new model, training or other classes drop evaluations and calibration.
    func testResultsOfAnotherModelOrOtherClassesAreDropped() throws {
        let h = calibrated()
        XCTAssertEqual(h.run("model tiny").1.components(separatedBy: "\n").first,
                       "note: calibration cleared (a new model); eval, then calibrate, to calibrate again")
        XCTAssertTrue(h.session.calibration.isEmpty)
        XCTAssertTrue(h.session.evaluations.isEmpty)
        h.run("eval"); h.run("calibrate")
        XCTAssertTrue(h.run("train 1").1.hasPrefix("note: calibration cleared (the model was trained further)"))
        XCTAssertTrue(h.session.evaluations.isEmpty)
        h.run("eval"); h.run("calibrate")
        h.run("load data")  // the same classes: the calibration still describes the model
        XCTAssertEqual(h.session.calibration.count, 2)
        // Other classes: calibrated tables of three colours must not be applied to four.
        try FileManager.default.copyItem(atPath: h.root + "/data", toPath: h.root + "/other")
        for split in ["train", "val"] {
            try FileManager.default.copyItem(atPath: h.root + "/other/颜色/\(split)/红", toPath: h.root + "/other/颜色/\(split)/黑")
        }
        XCTAssertTrue(h.run("load other").1.contains("note: calibration cleared (the dataset has other tasks or classes)"))
        XCTAssertTrue(h.session.calibration.isEmpty)
        h.run("model tiny")
        XCTAssertEqual(h.run("predict other/颜色/val/黑/0.png").0, .success)
    }

    /// A refused checkpoint changes nothing: model, settings, calibration are those of before.
    func testARefusedCheckpointChangesNothing() throws {
        let h = calibrated()
        h.run("save good.safetensors")
        let file = try SafeTensorsFile.read(from: h.root + "/good.safetensors")
        var metadata = file.metadata
        metadata["calibration"] = metadata["calibration"]!.replacingOccurrences(of: "\"task\":\"颜色\"", with: "\"task\":\"形状\"")
        try SafeTensorsFile.write(file.tensors.map { ($0.key, $0.value) }, metadata: metadata, to: h.root + "/bad.safetensors")
        let other = Harness()
        other.run("load data"); other.run("model tiny"); other.run("set lr 0.3")
        let trainer = other.session.trainer
        let (result, text) = other.run("open \(h.root)/bad.safetensors")
        XCTAssertEqual(result, .failure)
        XCTAssertEqual(text, "error: \(h.root)/bad.safetensors: not a usable mtmc checkpoint: metadata calibration is for task 形状, which the checkpoint does not have")
        XCTAssertTrue(other.session.trainer === trainer)
        XCTAssertEqual(other.session.settings.training.learningRate, 0.3)
        XCTAssertTrue(other.session.calibration.isEmpty)
    }

    /// Scripts: CRLF line ends and a byte-order mark are accepted, invalid UTF-8 is refused naming the line,
    /// a FIFO is refused from its type instead of blocking.
    func testScriptTextAndSpecialFiles() throws {
        let h = Harness()
        try Data("\u{FEFF}set lr 0.2\r\nset seed 5\r\n".utf8).write(to: URL(fileURLWithPath: h.root + "/crlf.mtmc"))
        XCTAssertEqual(h.run("run crlf.mtmc").1, "mtmc> set lr 0.2\nlr = 0.2\nmtmc> set seed 5\nseed = 5")
        try Data("set lr 0.2\nset logs \u{FF}\n".utf8.map { $0 } + [0xFF, 0x0A]).write(to: URL(fileURLWithPath: h.root + "/bad.mtmc"))
        XCTAssertEqual(h.run("run bad.mtmc").1, "error: script \(h.root)/bad.mtmc is not UTF-8 text at line 3")
        XCTAssertEqual(mkfifo(h.root + "/fifo.mtmc", 0o600), 0)
        XCTAssertEqual(h.run("run fifo.mtmc").1, "error: cannot read script \(h.root)/fifo.mtmc: not a regular file (a FIFO)")
        XCTAssertEqual(h.run("run nothere.mtmc").1, "error: cannot read script \(h.root)/nothere.mtmc: no such file")
    }

    /// Writers: a non-regular target or a failing disk gives a clear error (no Foundation error domains),
    /// and the session goes on.
    func testWritersReportFailuresAndTheSessionGoesOn() throws {
        let h = Harness()
        h.run("set lr 0.2")
        XCTAssertEqual(mkfifo(h.root + "/fifo", 0o600), 0)
        XCTAssertEqual(h.run("history save fifo").1,
                       "error: history save: cannot write \(h.root)/fifo: it exists and is not a regular file; nothing was written")
        XCTAssertEqual(h.run("history save nowhere/h.mtmc").1,
                       "error: history save: cannot write \(h.root)/nowhere/h.mtmc: folder \(h.root)/nowhere does not exist")
        XCTAssertEqual(h.run("record fifo").0, .failure)
        // A notebook that stops being writable ends the recording with the reason.
        XCTAssertEqual(h.run("record nb.md").0, .success)
        try FileManager.default.removeItem(atPath: h.root + "/nb.md")
        XCTAssertEqual(mkfifo(h.root + "/nb.md", 0o600), 0)
        let (result, text) = h.run("set lr 0.3")
        XCTAssertEqual(result, .success)
        XCTAssertEqual(text, "lr = 0.3\nerror: record: cannot append to nb.md: it was replaced by a FIFO; recording stopped")
        XCTAssertNil(h.session.notebook)
        XCTAssertFalse(text.contains("NSCocoaErrorDomain"))
    }

    /// Foundation's errors are shown as the system's reason, never as a domain and code.
    func testFoundationErrorsReadAsTheirReason() {
        XCTAssertEqual(errorReason(NSError(domain: NSCocoaErrorDomain, code: NSFileWriteOutOfSpaceError)), "no space left on device")
        XCTAssertEqual(errorReason(NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])),
                       "No space left on device")
    }
}
