import MTMC
import XCTest

final class ExplorationHashTests: XCTestCase {
    func testNearKeysGroupUpToTheHammingThresholdWithSimilarColourWithoutChaining() throws {
        func key(_ hash: UInt64, _ red: UInt8 = 100) -> NearKey { NearKey(hash: hash, red: red, green: 50, blue: 50) }
        // 0b111 is 3 bits from 0, 0b111_1111 4 bits from 0b111 and 7 from 0; the last has the first's hash in another colour.
        let keys = [key(0), key(0b111), key(0b111_1111), key(0, 200)]
        XCTAssertEqual(try linkedKeys(keys, bits: 2, colour: 24), [])
        XCTAssertEqual(try linkedKeys(keys, bits: 3, colour: 24), [[0, 1]])
        // 0b111_1111 is near 0b111 but not the group's first member, 0: it does not join (no chain 0 ≈ 0b111 ≈ 0b111_1111).
        XCTAssertEqual(try linkedKeys(keys, bits: 4, colour: 24), [[0, 1]])
        XCTAssertEqual(try linkedKeys(keys, bits: 7, colour: 24), [[0, 1, 2]])
        XCTAssertEqual(try linkedKeys(keys, bits: 4, colour: 100), [[0, 1, 3]])
        // A long remainder is scanned on several threads with the same result.
        let many = (0..<9000).map { key(UInt64($0 % 3 == 0 ? 0 : 0xFFFF_0000_0000_0000 | UInt64($0))) }
        XCTAssertEqual(try linkedKeys(many, bits: 0, colour: 0, threads: 4).first, Array(stride(from: 0, to: 9000, by: 3)))
        XCTAssertEqual(try linkedKeys(many, bits: 0, colour: 0, threads: 4), try linkedKeys(many, bits: 0, colour: 0, threads: 1))
        XCTAssertThrowsError(try linkedKeys(keys, bits: 4, colour: 24, threads: 1, isCancelled: { true }))
    }

    func testDifferenceHashIgnoresBrightnessAndSizeButNotStructure() {
        // A left-to-right ramp: every cell darker than its right neighbour, so no bit is set; reversed, all 64 are.
        func ramp(_ width: Int, _ height: Int, lift: Int = 0, reversed: Bool = false) -> UInt64 {
            let pixels = (0..<(width * height)).flatMap { i -> [UInt8] in
                let x = i % width, v = UInt8(min(255, lift + 200 * (reversed ? width - 1 - x : x) / (width - 1)))
                return [v, v, v]
            }
            return pixels.withUnsafeBufferPointer { differenceHash($0, width: width, height: height) }
        }
        XCTAssertEqual(ramp(36, 16), 0)
        XCTAssertEqual(ramp(72, 40, lift: 30), 0)
        XCTAssertEqual(ramp(36, 16, reversed: true), UInt64.max)
        XCTAssertEqual(hammingDistance(0b1011, 0b0110), 3)
    }

    func testPixelHashTellsSizesAndSinglePixelsApart() {
        let a = [UInt8](repeating: 7, count: 27), b = a.enumerated().map { $0.offset == 26 ? UInt8(8) : $0.element }
        func hash(_ p: [UInt8], _ w: Int, _ h: Int) -> UInt64 { p.withUnsafeBufferPointer { pixelHash($0, size: ImageSize(width: w, height: h)) } }
        XCTAssertEqual(hash(a, 3, 3), hash(a, 3, 3))
        XCTAssertNotEqual(hash(a, 3, 3), hash(b, 3, 3))
        XCTAssertNotEqual(hash(a, 3, 3), hash(a, 9, 1))
    }

    func testBlockBarsAreScaledToTheLargestInEighths() {
        XCTAssertEqual(blockBar(80, largest: 80, width: 4), "████")
        XCTAssertEqual(blockBar(10, largest: 80, width: 4), "▌")
        XCTAssertEqual(blockBar(1, largest: 1000, width: 4), "▏", "a class with images never gets an empty bar")
        XCTAssertEqual(blockBar(0, largest: 80, width: 4), "")
    }
}
