import Commands
import MTMC
import XCTest

/// Pictures are fitted to the terminal window: never wider than it, at most about its height, never enlarged.
final class InlineLayoutTests: XCTestCase {
    private let window = TerminalWindow(columns: 81, rows: 41, cell: ImageSize(width: 10, height: 20))

    func testAPictureThatFitsKeepsItsSize() {
        XCTAssertEqual(fittedSize(ImageSize(width: 300, height: 200), in: window, as: .sixel), ImageSize(width: 300, height: 200))
    }

    func testAWideContactSheetIsScaledToTheWindowsWidth() {
        // 80 usable columns of 10 pixels.
        XCTAssertEqual(fittedSize(ImageSize(width: 1600, height: 400), in: window, as: .kitty), ImageSize(width: 800, height: 200))
    }

    func testATallPictureIsScaledToTheWindowsHeight() {
        // 40 usable rows of 20 pixels.
        XCTAssertEqual(fittedSize(ImageSize(width: 400, height: 1600), in: window, as: .iterm), ImageSize(width: 200, height: 800))
    }

    func testHalfBlocksMeasureInCellsOnePixelAcrossTwoDown() {
        XCTAssertEqual(fittedSize(ImageSize(width: 1600, height: 400), in: window, as: .blocks), ImageSize(width: 80, height: 20))
        XCTAssertEqual(fittedSize(ImageSize(width: 60, height: 60), in: window, as: .blocks), ImageSize(width: 60, height: 60))
        XCTAssertEqual(fittedSize(ImageSize(width: 100, height: 400), in: window, as: .blocks), ImageSize(width: 20, height: 80))
    }
}
