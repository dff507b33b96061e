import Commands
import Foundation
import XCTest

/// The kitty graphics protocol's transmit-and-display sequence for a PNG, byte for byte.
final class KittyGraphicsTests: XCTestCase {
    private let esc = "\u{1B}"

    func testASmallPictureIsOneChunkWithItsKeysAndTheLastChunkMark() {
        // 0x89 'P' 'N' 'G' in base64 is iVBORw==.
        let png = Data([0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(kittyImage(png: png), ["\(esc)_Ga=T,f=100,q=2,m=0;iVBORw==\(esc)\\"])
        XCTAssertEqual(kittyImage(png: png, columns: 12), ["\(esc)_Ga=T,f=100,q=2,c=12,m=0;iVBORw==\(esc)\\"])
    }

    func testALargePictureIsCutInto4096ByteChunksEachMarkedWhetherMoreFollow() {
        // 6,147 bytes are 8,196 base64 characters: two full chunks and one of 4.
        let png = Data((0..<6147).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let base64 = Array(png.base64EncodedString())
        XCTAssertEqual(base64.count, 8196)
        let chunks = kittyImage(png: png, columns: 40)
        XCTAssertEqual(chunks, [
            "\(esc)_Ga=T,f=100,q=2,c=40,m=1;" + String(base64[0..<4096]) + "\(esc)\\",
            "\(esc)_Gm=1;" + String(base64[4096..<8192]) + "\(esc)\\",
            "\(esc)_Gm=0;" + String(base64[8192...]) + "\(esc)\\",
        ])
    }

    func testExactly4096Base64BytesStayOneChunk() {
        let png = Data(repeating: 0xAB, count: 3072)
        let chunks = kittyImage(png: png)
        XCTAssertEqual(chunks, ["\(esc)_Ga=T,f=100,q=2,m=0;" + png.base64EncodedString() + "\(esc)\\"])
    }
}
