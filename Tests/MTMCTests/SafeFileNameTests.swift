import Foundation
import MTMC
import XCTest

final class SafeFileNameTests: XCTestCase {
    func testNamesThatWouldLeaveTheFolderBecomeOneFileName() {
        XCTAssertEqual(safeFileName("calib_../../escape.png"), "calib_.._.._escape.png")
        XCTAssertEqual(safeFileName("/tmp/x"), "_tmp_x")
        XCTAssertEqual(safeFileName(".."), "_")
        XCTAssertEqual(safeFileName("."), "_")
        XCTAssertEqual(safeFileName(""), "_")
        XCTAssertEqual(safeFileName("a\0b\nc\u{7F}.png"), "a_b_c_.png")
    }

    func testOrdinaryNamesStayAsTheyAre() {
        for name in ["calib_印花.png", "why_blue dress_颜色_蓝.png", "..hidden", "a..b", "-x.png"] {
            XCTAssertEqual(safeFileName(name), name)
        }
    }

    func testTooLongNamesAreShortenedBeforeTheExtensionAtACharacterBoundary() {
        let long = "why_" + String(repeating: "印", count: 200) + ".png"
        let safe = safeFileName(long)
        XCTAssertLessThanOrEqual(safe.utf8.count, 255)
        XCTAssertGreaterThan(safe.utf8.count, 250)
        XCTAssertTrue(safe.hasPrefix("why_印印") && safe.hasSuffix("印.png"), safe)
        XCTAssertEqual(safe, "why_" + String(repeating: "印", count: (255 - 8) / 3) + ".png")
    }

    func testProblemsNameWhatIsWrong() {
        XCTAssertEqual(fileNameProblem(".."), "is ..")
        XCTAssertEqual(fileNameProblem("."), "is .")
        XCTAssertEqual(fileNameProblem("/tmp/x"), "contains /")
        XCTAssertEqual(fileNameProblem("a\0b"), "contains a NUL character")
        XCTAssertNil(fileNameProblem("印花"))
        XCTAssertNil(fileNameProblem("..a"))
    }
}
