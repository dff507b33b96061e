import Engine
import Vision
import XCTest

final class RandAugmentTests: XCTestCase {
    /// 6×4, every channel = (x + 10·y) / 100: each pixel's value says where it came from.
    private let (width, height) = (6, 4)
    private var image: [Float] { (0..<24).flatMap { i in [Float](repeating: Float(i % 6 + 10 * (i / 6)) / 100, count: 3) } }
    private func at(_ rgb: [Float], _ x: Int, _ y: Int) -> Float { rgb[(y * width + x) * 3] }

    func testTranslationMovesWholePixelsAndFillsBlack() {
        var rgb = image
        // 0.45 × 6 × (1/2.7) = 1 pixel to the right.
        RandAugment.apply(.translateX, strength: 1 / 2.7, to: &rgb, width: width, height: height)
        for y in 0..<height {
            XCTAssertEqual(at(rgb, 0, y), 0, "black fill")
            for x in 1..<width { XCTAssertEqual(at(rgb, x, y), at(image, x - 1, y)) }
        }
    }

    func testSolarizePosterizeAndAutocontrastFollowTheirDefinitions() {
        var rgb = image
        RandAugment.apply(.solarize, strength: -0.5, to: &rgb, width: width, height: height)
        for (a, b) in zip(rgb, image) { XCTAssertEqual(a, b >= 0.5 ? 1 - b : b, "inverted at and above 1 − 0.5") }
        var poster: [Float] = [0.2, 0.5, 0.99]
        RandAugment.apply(.posterize, strength: 1, to: &poster, width: 1, height: 1)
        XCTAssertEqual(poster.map { Int(($0 * 255).rounded()) }, [48, 128, 240], "4 bits: multiples of 16")
        var dim: [Float] = [0.2, 0.3, 0.4, 0.4, 0.5, 0.6]
        RandAugment.apply(.autocontrast, strength: 0, to: &dim, width: 2, height: 1)
        XCTAssertEqual(dim, [0, 0, 0, 1, 1, 1])
    }

    /// 510 pixels at 51/255 and 10 at 153/255: step (520 − 10) / 255 = 2, so 51 maps to (1 + 0) / 2 = 0 and
    /// 153 to (1 + 510) / 2 = 255; an image of under 255 darker pixels stays as it is (PIL's rule).
    func testEqualizeFlattensEachChannelsHistogramAsPIL() {
        let dark: Float = 51 / 255, light: Float = 153 / 255
        var rgb = [Float](repeating: dark, count: 510 * 3) + [Float](repeating: light, count: 10 * 3)
        RandAugment.apply(.equalize, strength: 1, to: &rgb, width: 520, height: 1)
        XCTAssertEqual(rgb, [Float](repeating: 0, count: 510 * 3) + [Float](repeating: 1, count: 10 * 3))
        var small = [Float](repeating: dark, count: 100 * 3) + [Float](repeating: light, count: 10 * 3)
        let before = small
        RandAugment.apply(.equalize, strength: 1, to: &small, width: 110, height: 1)
        XCTAssertEqual(small, before)
    }

    /// A bright centre in a dark 3×3: its smoothed value is 5/13, the border stays; strength −1 (factor 0.1)
    /// gives 5/13 + 0.1·8/13 = 5.8/13, strength +1 (factor 1.9) 20.2/13, clipped to 1.
    func testSharpnessBlendsWithTheSmoothedImageAndKeepsTheBorder() {
        let dot = (0..<9).flatMap { [Float]($0 == 4 ? [1, 1, 1] : [0, 0, 0]) }
        var blurred = dot, sharpened = dot
        RandAugment.apply(.sharpness, strength: -1, to: &blurred, width: 3, height: 3)
        RandAugment.apply(.sharpness, strength: 1, to: &sharpened, width: 3, height: 3)
        XCTAssertEqual(blurred[12], 5.8 / 13, accuracy: 1e-6)
        XCTAssertEqual(sharpened[12], 1)
        for pixel in 0..<9 where pixel != 4 { XCTAssertEqual(blurred[pixel * 3], 0, "border pixel \(pixel)") }
    }

    func testRotationByHalfATurnOfItsRangeKeepsTheCentreAndIdentityChangesNothing() {
        var rgb = image
        RandAugment.apply(.identity, strength: 1, to: &rgb, width: width, height: height)
        XCTAssertEqual(rgb, image)
        var square = (0..<25).flatMap { [Float]($0 == 12 ? [1, 1, 1] : [0, 0, 0]) }
        RandAugment.apply(.rotate, strength: 1, to: &square, width: 5, height: 5)
        XCTAssertEqual(square[12 * 3], 1, "the centre pixel stays")
    }

    func testTheSameSeedGivesTheSameOperationsAndImage() {
        func run(_ seed: UInt64) -> ([String], [Float]) {
            var rgb = image, rng = RandomGenerator(seed: seed)
            let ops = RandAugment(count: 3, magnitude: 9).apply(&rgb, width: width, height: height, rng: &rng)
            for (_, s) in ops { XCTAssertEqual(abs(s), 0.9, accuracy: 1e-6) }
            return (ops.map { "\($0.0)\($0.1)" }, rgb)
        }
        XCTAssertEqual(run(2).0, run(2).0)
        XCTAssertEqual(run(2).1, run(2).1)
        XCTAssertNotEqual(run(2).0, run(3).0)
        XCTAssertEqual(run(2).0.count, 3)
    }
}
