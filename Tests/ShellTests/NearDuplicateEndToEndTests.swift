import Foundation
import Vision
import XCTest

/// Pictures for the near-duplicate checks: smooth ones whose difference hashes all agree, and a textured one.
enum SmoothPictures {
    /// A grey ramp 40 → 215 along x (horizontal), y (vertical) or x + y (diagonal).
    static func ramp(_ direction: String, side: Int = 64) -> RGBImage {
        var image = RGBImage(width: side, height: side)
        for y in 0..<side {
            for x in 0..<side {
                let t = direction == "horizontal" ? x * 2 : direction == "vertical" ? y * 2 : x + y
                let v = UInt8(40 + 175 * t / (2 * side - 2))
                let i = (y * side + x) * 3
                image.pixels[i] = v; image.pixels[i + 1] = v; image.pixels[i + 2] = v
            }
        }
        return image
    }

    /// A flat colour with a checkerboard dither of ±3, so that it is not near-uniform.
    static func dithered(_ red: Int, _ green: Int, _ blue: Int, side: Int = 64) -> RGBImage {
        let pixels = (0..<(side * side)).flatMap { i -> [UInt8] in
            let d = (i % side + i / side) % 2 == 0 ? 3 : -3
            return [UInt8(red + d), UInt8(green + d), UInt8(blue + d)]
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    /// Coloured discs, placed by `seed`, over a ramp that brightens leftwards: every pair of neighbouring hash
    /// cells differs by the ramp's step, so the structure survives resizing and JPEG (flat areas would leave
    /// hash bits to the encoder's noise).
    static func discs(seed: Int, side: Int = 64) -> RGBImage {
        var image = RGBImage(width: side, height: side)
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ n: Int) -> Int { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return Int(state % UInt64(n)) }
        let placed = (0..<4).map { _ in (cx: next(side), cy: next(side), r: 8 + next(10), shift: [next(121) - 60, next(121) - 60, next(121) - 60]) }
        for y in 0..<side {
            for x in 0..<side {
                let ramp = 190 - 120 * x / (side - 1)
                let shift = placed.last { ($0.cx - x) * ($0.cx - x) + ($0.cy - y) * ($0.cy - y) <= $0.r * $0.r }?.shift ?? [0, 0, 0]
                for c in 0..<3 { image.pixels[(y * side + x) * 3 + c] = UInt8(ramp + shift[c]) }
            }
        }
        return image
    }
}

final class NearDuplicateEndToEndTests: XCTestCase {
    /// Gradients of three directions and two dithered flat colours share one difference hash and one mean
    /// colour band with pictures of another shape; only the resized, re-encoded copy is a near duplicate.
    func testCheckReportsTheReencodedCopyButNoSmoothLookAlikes() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func put(_ relative: String, _ data: Data) throws {
            let path = folder + "/tree/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        }
        try put("形/train/甲/horizontal.png", PNG.encode(SmoothPictures.ramp("horizontal")))
        try put("形/train/甲/flat1.png", PNG.encode(SmoothPictures.dithered(120, 120, 120)))
        try put("形/train/甲/discs.png", PNG.encode(SmoothPictures.discs(seed: 1)))
        try put("形/train/乙/other.png", PNG.encode(SmoothPictures.discs(seed: 2)))
        try put("形/val/甲/vertical.png", PNG.encode(SmoothPictures.ramp("vertical")))
        try put("形/val/乙/diagonal.png", PNG.encode(SmoothPictures.ramp("diagonal")))
        try put("形/val/甲/flat2.png", PNG.encode(SmoothPictures.dithered(138, 130, 124)))
        try put("形/val/甲/copy.jpg", JPEG.encode(resized(SmoothPictures.discs(seed: 1), width: 45, height: 45), quality: 70))
        let (status, output) = try MTMC.run(["-c", "set size 32; load tree; check"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains(", confirmed by pixels (16×16 thumbnails at most 8 of 255 apart on average)\n"), output)
        let near = output.components(separatedBy: "\n").drop { !$0.hasPrefix("  near duplicates:") }.prefix(3)
        XCTAssertEqual(Array(near.prefix(2).map { MTMC.masked($0) }),
                       ["  near duplicates: # leak (groups); # of # val images (# %) have a copy in train",
                        "    leak: train/甲/discs.png ≈ val/甲/copy.jpg (distance ≤ #)"], output)
        XCTAssertTrue(near.last!.hasPrefix("  near-uniform"), output)
    }
}
