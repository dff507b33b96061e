import Foundation
import XCTest

/// `info` and `predict --json` say how many backbone passes answering every task costs an image.
final class BackbonePassesEndToEndTests: XCTestCase {
    private let images = MTMC.repository + "/samples/predict"

    private func passes(predicting model: String, in folder: String) throws -> [Int] {
        let (status, output) = try MTMC.run(["predict", "--model", model, "--json", images], in: folder)
        XCTAssertEqual(status, 0, output)
        return try output.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["backbone_passes"] as! Int
        }
    }

    func testMixedStatisticsCostOnePassAndPerTaskStatisticsOnePerTask() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (mode, count, info) in [("mixed", 1, "1 backbone pass per image for every task"), ("per-task", 2, "2 backbone passes per image (one per task)")] {
            let (status, output) = try MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; set bn \(mode); model tiny; info; save \(mode).safetensors"],
                                                in: folder)
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains(info), "bn \(mode): missing '\(info)' in:\n\(output)")
            XCTAssertEqual(try passes(predicting: "\(mode).safetensors", in: folder), [count, count, count], "bn \(mode)")
        }
    }

    /// A checkpoint written before one-pass models keeps its per-task statistics: a pass per task.
    func testACheckpointWithPerTaskStatisticsCostsAPassPerTask() throws {
        let fixture = MTMC.repository + "/Tests/MTMCTests/Fixtures/per-task-statistics.safetensors"
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertEqual(try passes(predicting: fixture, in: folder), [2, 2, 2])
        let (status, output) = try MTMC.run(["-c", "open \(fixture); info; set bn"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("2 backbone passes per image (one per task)"), output)
        XCTAssertTrue(output.contains("bn = per-task"), output)
    }
}
