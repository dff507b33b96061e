import Engine
import Vision
import XCTest

final class ResizedCropTests: XCTestCase {
    /// 40×40, red = 6·x: the red values of a view say which columns of the image it shows.
    private let ramp = RGBImage(width: 40, height: 40, pixels: (0..<1600).flatMap { [UInt8(6 * ($0 % 40)), 0, 0] })

    private func view(_ image: RGBImage, _ settings: AugmentationSettings, seed: UInt64, size: Int = 20) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * size * size)
        var rng = RandomGenerator(seed: seed)
        out.withUnsafeMutableBufferPointer {
            writeAugmented(image, width: size, height: size, settings: settings, normalization: Normalization(mean: [0, 0, 0], std: [1, 1, 1]),
                           rng: &rng, into: $0.baseAddress!)
        }
        return out
    }

    private var crop: AugmentationSettings {
        var s = AugmentationSettings.none
        s.resizedCropArea = 0.25...0.25
        return s
    }

    func testAQuarterOfTheAreaShowsAboutHalfTheColumnsWithinTheAspectRange() {
        for seed in 1...30 {
            let red = Array(view(ramp, crop, seed: UInt64(seed)).prefix(400))
            let columns = Double(red.max()! - red.min()!) * 255 / 6
            // width √(0.25·r)·40 for r in 3/4…4/3: 17.3 to 23.1 columns, less one for the pixel centres.
            XCTAssertGreaterThan(columns, 17.3 - 1.5, "seed \(seed)")
            XCTAssertLessThan(columns, 23.1, "seed \(seed)")
            XCTAssertGreaterThanOrEqual(red.min()!, 0)
            XCTAssertLessThanOrEqual(red.max()!, 234.0 / 255 + 1e-6, "inside the image: no black fill")
        }
    }

    func testACropOfAFlatImageIsFlatSoItNeverReadsOutsideTheImage() {
        let flat = RGBImage(width: 30, height: 30, pixels: [UInt8](repeating: 90, count: 2700))
        var s = AugmentationSettings.none
        s.resizedCropArea = 1...1
        for seed in 1...10 {
            for v in view(flat, s, seed: UInt64(seed), size: 12) { XCTAssertEqual(v, Float(90) / 255, accuracy: 1e-6) }
        }
    }

    func testTheCropIsDeterministicForASeedAndVariesAcrossSeeds() {
        XCTAssertEqual(view(ramp, crop, seed: 7), view(ramp, crop, seed: 7))
        XCTAssertNotEqual(view(ramp, crop, seed: 7), view(ramp, crop, seed: 8))
    }
}
