import Foundation
import XCTest

/// Hostile input through the binary: `mtmc predict --model` refuses what the shell's `open` refuses.
final class CheckpointRefusalEndToEndTests: XCTestCase {
    /// The safetensors file with one metadata value replaced (the header re-encoded, its length updated).
    private func tamper(_ path: String, key: String, value: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        var metadata = header["__metadata__"] as! [String: String]
        metadata[key] = value
        header["__metadata__"] = metadata
        let encoded = try JSONSerialization.data(withJSONObject: header)
        let prefix = Data((0..<8).map { UInt8((encoded.count >> (8 * $0)) & 0xFF) })
        try (prefix + encoded + data.suffix(from: 8 + length)).write(to: URL(fileURLWithPath: path))
    }

    func testPredictRefusesWhatOpenRefuses() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try MTMC.prepare("set size 16; load \(MTMC.repository)/samples/prints; model tiny; save m.safetensors", in: folder)
        try tamper(folder + "/m.safetensors", key: "calibration", value: #"[{"task": 3}]"#)
        let expected = "error: \(folder)/m.safetensors: not a usable mtmc checkpoint: metadata calibration is malformed\n"
        let image = MTMC.repository + "/samples/predict/blue.jpg"
        let predicted = try MTMC.run(["predict", "--model", folder + "/m.safetensors", image], in: folder)
        XCTAssertEqual(predicted.status, 1)
        XCTAssertEqual(predicted.output, expected)
        let opened = try MTMC.run(["-c", "open \(folder)/m.safetensors"], in: folder)
        XCTAssertEqual(opened.status, 1)
        XCTAssertTrue(opened.output.contains(expected), opened.output)
    }
}
