import Engine
import Foundation
import Vision

/// An RGB colour.
public struct RGB: Equatable {
    public var r, g, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public static let white = RGB(255, 255, 255), black = RGB(0, 0, 0), gray = RGB(150, 150, 150), light = RGB(228, 228, 228)

    /// Distinct colours for series (Tableau 10).
    public static let palette = [RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44), RGB(214, 39, 40), RGB(148, 103, 189),
                                 RGB(140, 86, 75), RGB(227, 119, 194), RGB(127, 127, 127), RGB(188, 189, 34), RGB(23, 190, 207)]
}

/// A white raster to draw charts on, written out as PNG with libpng.
public struct Canvas {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    public mutating func blend(x: Int, y: Int, color: RGB, alpha: Double) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 3
        let a = min(1, max(0, alpha))
        pixels[i] = UInt8(Double(pixels[i]) * (1 - a) + Double(color.r) * a)
        pixels[i + 1] = UInt8(Double(pixels[i + 1]) * (1 - a) + Double(color.g) * a)
        pixels[i + 2] = UInt8(Double(pixels[i + 2]) * (1 - a) + Double(color.b) * a)
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        for yy in max(0, y)..<min(height, y + h) { for xx in max(0, x)..<min(width, x + w) { blend(x: xx, y: yy, color: color, alpha: 1) } }
    }

    /// A line `thickness` pixels wide (round-capped dots along it).
    /// Points that are not finite draw nothing, and the segment is clipped to the canvas first: data can put a
    /// point at 10¹² pixels, which would otherwise mean 10¹² steps (or a trap converting it to Int).
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: RGB, thickness: Double = 2) {
        let margin = thickness + 2
        guard let (x0, y0, x1, y1) = clipSegment(x0, y0, x1, y1, to: (-margin, -margin, Double(width) + margin, Double(height) + margin)) else { return }
        let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0)) * 2))
        let radius = thickness / 2
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let cx = x0 + (x1 - x0) * t, cy = y0 + (y1 - y0) * t
            for yy in Int(cy - radius - 1)...Int(cy + radius + 1) {
                for xx in Int(cx - radius - 1)...Int(cx + radius + 1) {
                    let d = ((Double(xx) + 0.5 - cx) * (Double(xx) + 0.5 - cx) + (Double(yy) + 0.5 - cy) * (Double(yy) + 0.5 - cy)).squareRoot()
                    if d <= radius + 0.5 { blend(x: xx, y: yy, color: color, alpha: min(1, radius + 0.5 - d)) }
                }
            }
        }
    }

    /// Writes the canvas as a PNG (atomically); returns the path.
    public func write(to path: String) throws {
        let data = try PNG.encode(RGBImage(width: width, height: height, pixels: pixels))
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PlotError("cannot write \(path): cannot create folder \(folder)")
        }
        // Atomic, refusing non-regular targets, with the system's reason (a full disk, a size limit).
        do { try writeAtomically(data, to: path) } catch let error as EngineError { throw PlotError(error.message) }
    }
}

/// The part of the segment inside the box (Liang–Barsky); nil when it misses the box or a point is not finite.
func clipSegment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
                 to box: (minX: Double, minY: Double, maxX: Double, maxY: Double)) -> (Double, Double, Double, Double)? {
    guard [x0, y0, x1, y1].allSatisfy(\.isFinite) else { return nil }
    let dx = x1 - x0, dy = y1 - y0
    guard dx.isFinite, dy.isFinite else { return nil }
    var low = 0.0, high = 1.0
    for (p, q) in [(-dx, x0 - box.minX), (dx, box.maxX - x0), (-dy, y0 - box.minY), (dy, box.maxY - y0)] {
        if p == 0 {
            if q < 0 { return nil }
            continue
        }
        let r = q / p
        if p < 0 { low = max(low, r) } else { high = min(high, r) }
        if low > high { return nil }
    }
    return (x0 + low * dx, y0 + low * dy, x0 + high * dx, y0 + high * dy)
}
