import Commands
import Foundation
import XCTest

/// iTerm2's inline image sequence (OSC 1337 File=) for a PNG, byte for byte.
final class ITermImageTests: XCTestCase {
    func testTheFileGoesInlineWithItsSizeInBytesAndTheColumnsToScaleTo() {
        let png = Data([0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(itermImage(png: png, columns: 30), "\u{1B}]1337;File=inline=1;size=4;width=30:iVBORw==\u{7}")
        XCTAssertEqual(itermImage(png: png), "\u{1B}]1337;File=inline=1;size=4:iVBORw==\u{7}")
    }
}
