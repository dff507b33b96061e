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

    /// Thumbnails tell apart the smooth pictures a difference hash cannot (all these ramps hash to 0), and
    /// confirmation splits a hash group into the members that really match.
    func testPixelThumbnailsSeparateSmoothPicturesThatShareAHash() {
        func ramp(_ side: Int, _ value: (Int, Int) -> Int) -> [UInt8] {
            (0..<(side * side)).flatMap { i -> [UInt8] in let v = UInt8(value(i % side, i / side)); return [v, v, v] }
        }
        let horizontal = ramp(64) { x, _ in 40 + 175 * x / 63 }, vertical = ramp(64) { _, y in 40 + 175 * y / 63 }
        let small = ramp(40) { x, _ in 40 + 175 * x / 39 }
        func thumb(_ p: [UInt8], _ side: Int) -> PixelThumbnail { p.withUnsafeBufferPointer { PixelThumbnail($0, width: side, height: side) } }
        func hash(_ p: [UInt8], _ side: Int) -> UInt64 { p.withUnsafeBufferPointer { differenceHash($0, width: side, height: side) } }
        XCTAssertEqual([hash(horizontal, 64), hash(vertical, 64), hash(small, 40)], [0, 0, 0], "one hash for every direction")
        XCTAssertGreaterThan(thumb(horizontal, 64).meanDifference(thumb(vertical, 64)), 40)
        XCTAssertLessThan(thumb(horizontal, 64).meanDifference(thumb(small, 40)), 3, "the same ramp at another size")
        let tiny = thumb([10, 20, 30, 40, 50, 60], 1 + 0)  // a 1×1 image has 3 bytes; the rest is ignored
        XCTAssertEqual(Set(tiny.pixels), [10, 20, 30], "a 1×1 image fills every cell")
        // Members 0, 1, 2 share a hash; 0 and 2 are the same picture, 1 is not: 0 leads {0, 2} and 1 stays alone.
        XCTAssertEqual(confirmedGroups([[0, 1, 2], [3, 4]]) { a, b in (a, b) == (0, 2) || (a, b) == (3, 4) }, [[0, 2], [3, 4]])
        XCTAssertEqual(confirmedGroups([[0, 1]]) { _, _ in false }, [])
    }
}
