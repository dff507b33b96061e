import Engine
import Vision
import XCTest

final class TransformTests: XCTestCase {
    func testBilinearResizeMatchesPillowShrinkingAndEnlarging() throws {
        let source = try DecodeTests.expected("rgb.png")
        for (name, w, h) in [("resize_down", 16, 11), ("resize_up", 50, 40), ("resize_mixed", 20, 30)] {
            DecodeTests.assertWithinOne(resized(source, width: w, height: h), try DecodeTests.expected(name), name)
        }
    }

    func testCenterCropTakesTheMiddle() {
        let image = RGBImage(width: 4, height: 3, pixels: (0..<36).map { UInt8($0) })
        let crop = centerCropped(image, width: 2, height: 1)
        XCTAssertEqual(crop.pixels, [15, 16, 17, 18, 19, 20])
    }

    func testValidationViewIsNormalisedCHW() {
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 255, count: 12))
        var out = [Float](repeating: 0, count: 12)
        out.withUnsafeMutableBufferPointer { writeValidation(image, width: 2, height: 2, normalization: .imageNet, into: $0.baseAddress!) }
        XCTAssertEqual(out[0], (1 - 0.485) / 0.229, accuracy: 1e-5)
        XCTAssertEqual(out[4], (1 - 0.456) / 0.224, accuracy: 1e-5)
        XCTAssertEqual(out[11], (1 - 0.406) / 0.225, accuracy: 1e-5)
    }

    func testAugmentationWithNothingEnabledAtTheImageSizeIsTheImage() throws {
        let image = try DecodeTests.expected("rgb.png")
        var out = [Float](repeating: 0, count: 3 * 37 * 23)
        var rng = RandomGenerator(seed: 1)
        out.withUnsafeMutableBufferPointer {
            writeAugmented(image, width: 37, height: 23, settings: .none, normalization: Normalization(mean: [0, 0, 0], std: [1, 1, 1]),
                           rng: &rng, into: $0.baseAddress!)
        }
        for c in 0..<3 {
            for i in 0..<(37 * 23) { XCTAssertEqual(out[c * 37 * 23 + i] * 255, Float(image.pixels[i * 3 + c]), accuracy: 1e-3) }
        }
    }

    func testAugmentationIsDeterministicForASeedAndVariesAcrossSeeds() throws {
        let image = try DecodeTests.expected("rgb.png")
        func view(_ seed: UInt64) -> [Float] {
            var out = [Float](repeating: 0, count: 3 * 16 * 16)
            var rng = RandomGenerator(seed: seed)
            out.withUnsafeMutableBufferPointer {
                writeAugmented(image, width: 16, height: 16, settings: AugmentationSettings(), normalization: .imageNet,
                               rng: &rng, into: $0.baseAddress!)
            }
            return out
        }
        XCTAssertEqual(view(3), view(3))
        XCTAssertNotEqual(view(3), view(4))
    }

    /// The training view's colour jitter runs fused on planes, eight pixels at a time; with RandAugment on it
    /// runs the interleaved reference (`colorJitter`, one pass per adjustment). A RandAugment of no operations
    /// changes nothing else, so the two views must be the same floats, for every jitter and a tail of pixels.
    func testTheFusedColourJitterGivesTheReferencesFloats() throws {
        let image = try DecodeTests.expected("rgb.png")
        var strong = AugmentationSettings()
        strong.brightness = 0.5; strong.contrast = 0.5; strong.saturation = 0.5; strong.hue = 0.5
        var crop = strong
        crop.resizedCropArea = 0.3...1
        for settings in [AugmentationSettings(), strong, crop] {
            var reference = settings
            reference.randAugment = RandAugment(count: 0, magnitude: 9)
            for seed in 1...20 {
                func view(_ s: AugmentationSettings) -> [UInt32] {
                    var out = [Float](repeating: 0, count: 3 * 19 * 13)
                    var rng = RandomGenerator(seed: UInt64(seed))
                    out.withUnsafeMutableBufferPointer {
                        writeAugmented(image, width: 19, height: 13, settings: s, normalization: .imageNet, rng: &rng, into: $0.baseAddress!)
                    }
                    return out.map(\.bitPattern)
                }
                let fused = view(settings), expected = view(reference)
                let differing = zip(fused, expected).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "seed \(seed): \(differing) of \(expected.count) floats differ")
            }
        }
    }
}
