import Commands
import Vision
import XCTest

/// The half-block fallback: the top pixel as the foreground of ▀, the pixel below as its background.
final class HalfBlocksTests: XCTestCase {
    private let esc = "\u{1B}"

    func testEachCellTakesItsTwoPixelsColoursWrittenWhereTheyChange() {
        let image = RGBImage(width: 2, height: 3, pixels: [10, 20, 30, 40, 50, 60,
                                                           70, 80, 90, 70, 80, 90,
                                                           1, 2, 3, 1, 2, 3])
        XCTAssertEqual(halfBlockLines(image), [
            "\(esc)[38;2;10;20;30m\(esc)[48;2;70;80;90m▀\(esc)[38;2;40;50;60m▀\(esc)[0m",
            // The odd last row: the terminal's own background below it.
            "\(esc)[38;2;1;2;3m\(esc)[49m▀▀\(esc)[0m",
        ])
    }
}
