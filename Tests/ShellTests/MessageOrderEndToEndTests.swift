import Foundation
import XCTest

/// Messages on standard error land between whole lines of standard output when both go to one pipe (`2>&1`),
/// however many kilobytes of output were buffered before them.
final class MessageOrderEndToEndTests: XCTestCase {
    func testASkippedImageIsReportedBetweenWholeJSONLines() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try MTMC.run(["-c", "set size 32; load \(MTMC.repository)/samples/prints; model tiny; save m.safetensors"], in: folder)
        XCTAssertEqual(made.status, 0, made.output)
        // Twelve images: far more JSON than a pipe's block buffer holds before the message is written.
        let images = Array(repeating: MTMC.repository + "/samples/predict", count: 4)
        let run = try MTMC.run(["predict", "--model", "m.safetensors", "--json"] + images + ["nothere.png"], in: folder)
        XCTAssertEqual(run.status, 0, run.output)
        let lines = run.output.split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(run.output.utf8.count, 8192)
        XCTAssertEqual(lines.filter { !$0.hasPrefix("{") }, ["skipped nothere.png: cannot read: No such file or directory"])
        let objects = lines.filter { $0.hasPrefix("{") }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        XCTAssertEqual(objects.count, 12, "every JSON line whole")
    }
}
