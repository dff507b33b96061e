@testable import Commands
import Vision
import XCTest

/// Sixel pictures byte for byte: raster attributes, colour registers in percent, bands of six rows, `$` and `-`.
final class SixelImageTests: XCTestCase {
    private let esc = "\u{1B}"

    func testATwoByTwoPictureDefinesItsFourColoursAndPaintsEachOnItsRows() {
        // red green / blue white: cube entries 180, 30, 5 and 215.
        let image = RGBImage(width: 2, height: 2, pixels: [255, 0, 0, 0, 255, 0,
                                                            0, 0, 255, 255, 255, 255])
        let expected = "\(esc)Pq\"1;1;2;2"
            + "#5;2;0;0;100#30;2;0;100;0#180;2;100;0;0#215;2;100;100;100"
            // blue: row 1 of column 0 (bit 1: 63 + 2 = A); green: row 0 of column 1 (? then @); red: row 0 of
            // column 0 (@); white: row 1 of column 1 (? then A); a colour's columns stop after its last.
            + "#5A$#30?@$#180@$#215?A"
            + "\(esc)\\"
        XCTAssertEqual(sixelImage(image), expected)
    }

    func testSevenRowsMakeTwoBandsAndRepeatedColumnsAreRunLengthCoded() {
        // Six black rows then one white row, five columns wide.
        let image = RGBImage(width: 5, height: 7, pixels: [UInt8](repeating: 0, count: 5 * 6 * 3) + [UInt8](repeating: 255, count: 5 * 3))
        XCTAssertEqual(sixelImage(image), "\(esc)Pq\"1;1;5;7#0;2;0;0;0#215;2;100;100;100#0!5~-#215!5@\(esc)\\")
    }

    func testRunsShorterThanFourAreWrittenOut() {
        XCTAssertEqual(sixelRuns([1, 1, 1, 2, 2, 2, 2, 0]), "@@@!4A?")
    }

    func testColoursGoToTheNearestCubeStepOrGrey() {
        XCTAssertEqual(SixelPalette.nearest(128, 128, 128), 216 + 12, "mid grey is the grey 128, not the cube's 153")
        XCTAssertEqual(SixelPalette.register(216 + 12), "#228;2;50;50;50")
        XCTAssertEqual(SixelPalette.nearest(200, 30, 30), 36 * 4 + 6 * 1 + 1)
        XCTAssertEqual(SixelPalette.nearest(255, 255, 255), 215)
        XCTAssertEqual(SixelPalette.register(36 * 4 + 6 * 1 + 1), "#151;2;80;20;20")
    }
}
