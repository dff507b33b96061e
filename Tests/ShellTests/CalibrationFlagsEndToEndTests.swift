import Foundation
import XCTest

final class CalibrationFlagsEndToEndTests: XCTestCase {
    /// On the samples every class has 16 validation images: that is said once for the whole validation set,
    /// and no task lists all its classes as weak.
    func testASmallValidationSetIsSaidOnceAndNotFlaggedOnEveryClass() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let samples = MTMC.repository + "/samples/prints"
        let (status, output) = try MTMC.run(["-c", "set size 16; load \(samples); balance base 4; model tiny; train 1; eval; calibrate; show calib 印花"], in: folder)
        XCTAssertEqual(status, 0, output)
        let small = "the validation set is too small: in every task every class has fewer than 30 validation images (3 × calibmin), "
            + "so every table rests on few samples; more validation images would help every class"
        let calibrate = output.components(separatedBy: "mtmc> calibrate\n").last!.components(separatedBy: "mtmc> show calib").first!
        XCTAssertEqual(calibrate.components(separatedBy: small).count, 2, "said once:\n" + calibrate)
        let classes = ["印花": 8, "颜色": 5]
        for line in calibrate.split(separator: "\n") where line.hasPrefix("  weak tables: ") {
            let listed = line.dropFirst("  weak tables: ".count).components(separatedBy: " (show calib ")
            let task = String(listed[1].split(separator: " ")[0])
            XCTAssertLessThan(listed[0].components(separatedBy: ", ").count, try XCTUnwrap(classes[task]), "every class flagged: \(line)")
        }
        let shown = output.components(separatedBy: "mtmc> show calib 印花\n").last!
        XCTAssertTrue(shown.contains("\n  the validation set is too small: every class has fewer than 30 validation images (3 × calibmin)"), shown)
        XCTAssertFalse(shown.contains("only 16 validation images"), shown)
    }
}
