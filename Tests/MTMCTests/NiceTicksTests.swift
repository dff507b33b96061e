import MTMC
import XCTest

final class NiceTicksTests: XCTestCase {
    func testTicksSitAtOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(NiceTicks(0...1).values, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        XCTAssertEqual(NiceTicks(0...1).label(0.6000000000000001), "0.6")
        XCTAssertEqual(NiceTicks(0...2.31).step, 0.5)
        XCTAssertEqual(NiceTicks(0...2.31).values, [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(NiceTicks(0...0.23).step, 0.05)
        XCTAssertEqual(NiceTicks(0...0.23).label(0.05), "0.05")
        XCTAssertEqual(NiceTicks(0...370).values, [0, 100, 200, 300])
        XCTAssertEqual(NiceTicks.ceiling(2.31), 2.5)
        XCTAssertEqual(NiceTicks.ceiling(1), 1)
    }

    func testEpochTicksAreWholeNumbers() {
        XCTAssertEqual(NiceTicks(1...3, whole: true).values, [1, 2, 3])
        XCTAssertEqual(NiceTicks(1...20, whole: true).values, [5, 10, 15, 20])
        XCTAssertEqual(NiceTicks(1...2, whole: true).label(2), "2")
        XCTAssertEqual(NiceTicks(3...47, whole: true).values, [10, 20, 30, 40])
    }
}
