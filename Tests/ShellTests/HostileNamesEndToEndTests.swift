import Foundation
import XCTest

/// Task and class names come from checkpoints anyone may have made; a name never chooses where a file goes.
final class HostileNamesEndToEndTests: XCTestCase {
    /// A copy of `source` with every metadata value's `old` replaced by `new` (the header re-encoded, its length updated).
    private func renamed(_ source: String, _ old: String, to new: String, as path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        let metadata = header["__metadata__"] as! [String: String]
        header["__metadata__"] = metadata.mapValues { $0.replacingOccurrences(of: old, with: new) }
        let encoded = try JSONSerialization.data(withJSONObject: header)
        let prefix = Data((0..<8).map { UInt8((encoded.count >> (8 * $0)) & 0xFF) })
        try (prefix + encoded + data.suffix(from: 8 + length)).write(to: URL(fileURLWithPath: path))
    }

    /// Every file under `folder`, relative to it.
    private func files(under folder: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let name = walker?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder), !isFolder.boolValue { found.append(name) }
        }
        return found.sorted()
    }

    func testOpenAndPredictRefuseTaskAndClassNamesThatWouldLeaveTheirFolder() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let work = folder + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // A model with a stored evaluation and calibration: an opened checkpoint alone can then plot and write reports.
        let made = try MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; balance base 4; model tiny; eval; calibrate; save m.safetensors"],
                                in: folder)
        XCTAssertEqual(made.status, 0, made.output)
        let outside = folder + "/outside"
        try renamed(folder + "/m.safetensors", "印花", to: "../../../escape", as: work + "/dotdot.safetensors")
        try renamed(folder + "/m.safetensors", "条纹", to: outside + "/x", as: work + "/absolute.safetensors")
        let refusals = [
            "dotdot": #"metadata tasks: task name "../../../escape" contains /, so it cannot name a file"#,
            "absolute": #"metadata tasks: class name "\#(outside)/x" of task 印花 contains /, so it cannot name a file"#,
        ]
        for (name, reason) in refusals {
            let expected = "error: \(work)/\(name).safetensors: not a usable mtmc checkpoint: \(reason)"
            let predictExpected = "error: \(name).safetensors: not a usable mtmc checkpoint: \(reason)\n"
            try """
                open \(name).safetensors
                show report ../../../escape
                plot confusion ../../../escape
                plot calib ../../../escape
                plot worst ../../../escape
                show calib \(outside)/x
                show report 印花
                plot worst 印花
                """.write(toFile: work + "/s.mtmc", atomically: true, encoding: .utf8)
            let opened = try MTMC.run(["--keep-going", "s.mtmc"], in: work)
            XCTAssertEqual(opened.status, 1)
            XCTAssertTrue(opened.output.hasPrefix("mtmc> open \(name).safetensors\n\(expected)\n"), opened.output)
            let predicted = try MTMC.run(["predict", "--model", "\(name).safetensors", MTMC.repository + "/samples/predict/blue.jpg"], in: work)
            XCTAssertEqual(predicted.status, 1)
            XCTAssertEqual(predicted.output, predictExpected)
        }
        // `plots/confusion_../../../escape.png` would be work/escape.png.
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
        let written = files(under: folder).filter { !["logs/", "work/plots/", "work/logs/"].contains(where: $0.hasPrefix) }
        XCTAssertEqual(written, ["m.safetensors", "work/absolute.safetensors", "work/dotdot.safetensors", "work/s.mtmc"], "files outside plots/ and logs/")
    }
}
