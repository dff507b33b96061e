import Foundation
import Vision
import XCTest

/// Decoding every JPEG and PNG kind gives Pillow's pixels (tools/fixtures/make_image_fixtures.py) within ±1.
final class DecodeTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func expected(_ name: String) throws -> RGBImage {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json"))) as! [String: [String: Int]]
        let size = try XCTUnwrap(manifest[name])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).rgb"))
        return RGBImage(width: size["width"]!, height: size["height"]!, pixels: [UInt8](bytes))
    }

    static func assertWithinOne(_ actual: RGBImage, _ expected: RGBImage, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.width, expected.width, "\(what) width", file: file, line: line)
        XCTAssertEqual(actual.height, expected.height, "\(what) height", file: file, line: line)
        guard actual.pixels.count == expected.pixels.count, !expected.pixels.isEmpty else {
            return XCTFail("\(what): \(actual.pixels.count) channel values, expected \(expected.pixels.count)", file: file, line: line)
        }
        let worst = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(worst, 1, "\(what): largest channel difference \(worst)", file: file, line: line)
    }

    func testEveryKindMatchesPillowWithinOne() throws {
        let kinds = ["baseline.jpg", "progressive.jpg", "grayscale.jpg", "cmyk.jpg", "large.jpg", "rgb.png", "gray.png",
                     "rgba.png", "gray_alpha.png", "palette.png", "palette_transparent.png", "rgb16.png", "gray16.png"]
        for name in kinds {
            let image = try ImageDecoder().decode(file: "\(Self.folder)/\(name)")
            Self.assertWithinOne(image, try Self.expected(name), name)
        }
    }

    func testLargeJPEGDecodesAtAReducedScaleThatStillCoversTheTarget() throws {
        let image = try ImageDecoder(targetSize: (width: 50, height: 50)).decode(file: "\(Self.folder)/large.jpg")
        // 240×160 at 1/4 is 60×40, too short for 50×50; 3/8 gives 90×60.
        XCTAssertEqual([image.width, image.height], [90, 60])
        let exact = try ImageDecoder(targetSize: (width: 30, height: 20)).decode(file: "\(Self.folder)/large.jpg")
        XCTAssertEqual([exact.width, exact.height], [30, 20])  // 1/8
        // What the file holds is still known, for size audits: the header's 240×160.
        let kept = try ImageDecoder(targetSize: (width: 30, height: 20)).decodeKeepingSize(file: "\(Self.folder)/large.jpg")
        XCTAssertEqual([kept.image.width, kept.image.height, kept.sourceSize.width, kept.sourceSize.height], [30, 20, 240, 160])
    }

    private func assertRefused(_ data: Data, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ImageDecoder().decode(data, path: "x/img"), file: file, line: line) { error in
            XCTAssertEqual("\(error)", "x/img: \(reason)", file: file, line: line)
        }
    }

    func testBrokenFilesAreRefusedWithTheirReason() throws {
        func fixture(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/\(name)")) }
        assertRefused(try fixture("truncated.jpg"), "corrupt or truncated JPEG data: Premature end of JPEG file")
        assertRefused(Data(), "empty file (0 bytes)")
        assertRefused(Data("hello, I am text\n".utf8), "not a JPEG or PNG file (starts with 68 65 6C 6C)")
        assertRefused(try fixture("bad_crc.png"), "invalid PNG header: IHDR: CRC error")
        assertRefused(try fixture("huge.png"), "image declares 60000×60000 pixels, over the limit of 100000000 pixels")
        assertRefused(try fixture("baseline.jpg").prefix(30), "header declares an empty image (0×0): truncated?")
    }

    func testPixelLimitIsASetting() throws {
        var decoder = ImageDecoder()
        decoder.pixelLimit = 100
        XCTAssertThrowsError(try decoder.decode(file: "\(Self.folder)/rgb.png")) { error in
            XCTAssertTrue("\(error)".hasSuffix("image declares 37×23 pixels, over the limit of 100 pixels"), "\(error)")
        }
    }

    func testPNGEncodeRoundTripsAndJPEGEncodeIsClose() throws {
        let original = try Self.expected("rgb.png")
        XCTAssertEqual(try ImageDecoder().decode(try PNG.encode(original), path: "mem"), original)
        var ramp = [UInt8](repeating: 0, count: 32 * 16 * 3)
        for i in 0..<ramp.count { ramp[i] = UInt8((i / 3) % 32 * 8) }
        let smooth = RGBImage(width: 32, height: 16, pixels: ramp)
        let jpeg = try ImageDecoder().decode(try JPEG.encode(smooth, quality: 95), path: "mem")
        var total = 0.0
        for (a, b) in zip(jpeg.pixels, smooth.pixels) { total += abs(Double(a) - Double(b)) }
        let mean = total / Double(smooth.pixels.count)
        XCTAssertLessThan(mean, 2)
    }
}
