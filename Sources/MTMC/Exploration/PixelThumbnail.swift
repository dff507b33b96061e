/// An image shrunk to 16×16 RGB by box averaging: the pixel-level check behind a near-duplicate match.
/// A difference hash sees only whether neighbouring cells get brighter, so smooth pictures (gradients in
/// any direction, flat colours) share a hash with each other; their thumbnails differ by tens of levels,
/// while a resized or re-encoded copy differs by a few.
public struct PixelThumbnail: Equatable {
    public static let side = 16
    /// Row-major RGB, 16 × 16 × 3 bytes.
    public let pixels: [UInt8]

    public init(_ source: UnsafeBufferPointer<UInt8>, width: Int, height: Int) {
        let side = PixelThumbnail.side
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        // Cell (cx, cy) averages the source box [cx·w/16, (cx+1)·w/16) × …, at least one pixel wide, so
        // images smaller than 16 on a side repeat their pixels.
        for cy in 0..<side {
            let y0 = cy * height / side, y1 = max(y0 + 1, (cy + 1) * height / side)
            for cx in 0..<side {
                let x0 = cx * width / side, x1 = max(x0 + 1, (cx + 1) * width / side)
                var sums = (0, 0, 0)
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let i = (y * width + x) * 3
                        sums.0 += Int(source[i]); sums.1 += Int(source[i + 1]); sums.2 += Int(source[i + 2])
                    }
                }
                let n = (y1 - y0) * (x1 - x0), o = (cy * side + cx) * 3
                pixels[o] = UInt8((sums.0 + n / 2) / n)
                pixels[o + 1] = UInt8((sums.1 + n / 2) / n)
                pixels[o + 2] = UInt8((sums.2 + n / 2) / n)
            }
        }
        self.pixels = pixels
    }

    /// Mean absolute difference of all 768 values (0–255).
    public func meanDifference(_ other: PixelThumbnail) -> Double {
        var total = 0
        for i in pixels.indices { total += abs(Int(pixels[i]) - Int(other.pixels[i])) }
        return Double(total) / Double(pixels.count)
    }
}
