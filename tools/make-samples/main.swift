import Engine
import Foundation
import Vision

// make-samples: writes samples/, the bundled dataset the quickstart trains on, deterministically.
//
//   swift run make-samples [OUTPUT]      (default: samples)
//
// Task 印花 (print pattern): 8 patterns drawn at random scale, rotation, colours, noise; 迷彩
// (camouflage) is deliberately rare. Task 颜色 (dominant colour): the background colour, under a
// random neutral pattern. Plus samples/predict/ with a few separate images for `predict`.

let size = 64
let output = CommandLine.arguments.dropFirst().first ?? "samples"

typealias Color = (Float, Float, Float)

struct Canvas {
    var pixels = [Float](repeating: 0, count: size * size * 3)
    mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        let i = (y * size + x) * 3
        pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
    }
    func image(noise: Float, rng: inout RandomGenerator) -> RGBImage {
        RGBImage(width: size, height: size, pixels: pixels.map { v in
            UInt8(max(0, min(255, (v + rng.nextNormal() * noise) * 255)).rounded())
        })
    }
}

func hsv(_ h: Float, _ s: Float, _ v: Float) -> Color {
    let i = Int(h * 6) % 6, f = h * 6 - Float(Int(h * 6))
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
}

func mix(_ a: Color, _ b: Color, _ t: Float) -> Color { (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t) }

/// Smooth value noise in [0, 1] from a random grid, for camouflage blobs.
struct ValueNoise {
    let grid: [Float], n: Int
    init(cells: Int, rng: inout RandomGenerator) {
        n = cells + 2
        grid = (0..<(n * n)).map { _ in rng.nextUniform() }
    }
    func at(_ x: Float, _ y: Float) -> Float {
        let gx = x * Float(n - 2), gy = y * Float(n - 2)
        let x0 = min(n - 2, max(0, Int(gx))), y0 = min(n - 2, max(0, Int(gy)))
        let fx = gx - Float(x0), fy = gy - Float(y0)
        let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
        let a = grid[y0 * n + x0] + (grid[y0 * n + x0 + 1] - grid[y0 * n + x0]) * sx
        let b = grid[(y0 + 1) * n + x0] + (grid[(y0 + 1) * n + x0 + 1] - grid[(y0 + 1) * n + x0]) * sx
        return a + (b - a) * sy
    }
}

enum Pattern: CaseIterable { case stripes, checks, dots, solid, gradient, camouflage, zebra, flowers }

/// Draws `pattern` with foreground and background colours at a random scale, angle and offset.
func draw(_ pattern: Pattern, fg: Color, bg: Color, rng: inout RandomGenerator) -> Canvas {
    var canvas = Canvas()
    // Prints run mostly along the garment's axes: 0° or 90°, give or take 15°.
    let angle = (rng.next() % 2 == 0 ? 0 : Float.pi / 2) + (rng.nextUniform() - 0.5) * 0.5
    let scale = 0.8 + rng.nextUniform() * 0.4
    let (ca, sa) = (cos(angle), sin(angle))
    let (ox, oy) = (rng.nextUniform() * 20, rng.nextUniform() * 20)
    let period = (12 + rng.nextUniform() * 8) * scale
    let noise = ValueNoise(cells: 3 + Int(rng.next() % 3), rng: &rng)
    let noise2 = ValueNoise(cells: 6, rng: &rng)
    let third = hsv(rng.nextUniform(), 0.5, 0.4 + rng.nextUniform() * 0.3)
    let flowers = (0..<(10 + Int(rng.next() % 8))).map { _ in (Float(rng.next() % UInt64(size)), Float(rng.next() % UInt64(size)),
                                                               2 + rng.nextUniform() * 2.5 * scale) }
    let shade = rng.nextUniform() * 0.15
    for y in 0..<size {
        for x in 0..<size {
            let fx = Float(x) + ox, fy = Float(y) + oy
            let u = ca * fx + sa * fy, v = -sa * fx + ca * fy
            var c: Color
            switch pattern {
            case .stripes:
                c = sin(u * 2 * .pi / period) > 0 ? fg : bg
            case .checks:
                let a = Int((u / period).rounded(.down)) + Int((v / period).rounded(.down))
                c = a % 2 == 0 ? fg : bg
            case .dots:
                let du = u - (u / period).rounded() * period, dv = v - (v / period).rounded() * period
                c = (du * du + dv * dv).squareRoot() < period * 0.25 ? fg : bg
            case .solid:
                c = mix(bg, (0, 0, 0), shade * Float(y) / Float(size))
            case .gradient:
                let t = (ca * Float(x - size / 2) + sa * Float(y - size / 2)) / Float(size) + 0.5
                c = mix(fg, bg, max(0, min(1, t)))
            case .camouflage:
                let n = noise.at(Float(x) / Float(size), Float(y) / Float(size)) * 0.7 + noise2.at(Float(x) / Float(size), Float(y) / Float(size)) * 0.3
                c = n < 0.4 ? fg : n < 0.55 ? third : bg
            case .zebra:
                c = sin(u * 2 * .pi / (period * 1.3) + 2.5 * sin(v * 0.15)) > 0.1 ? fg : bg
            case .flowers:
                c = bg
                for (cx, cy, r) in flowers {
                    let dx = Float(x) - cx, dy = Float(y) - cy
                    let d = (dx * dx + dy * dy).squareRoot()
                    if d < r * 2.2 {
                        let petal = r * (1.3 + 0.9 * cos(5 * atan2(dy, dx)))
                        if d < r * 0.6 { c = third } else if d < petal { c = fg }
                    }
                }
            }
            canvas.set(x, y, c)
        }
    }
    return canvas
}

func randomColor(_ rng: inout RandomGenerator) -> Color { hsv(rng.nextUniform(), 0.4 + rng.nextUniform() * 0.6, 0.3 + rng.nextUniform() * 0.7) }
func neutral(_ rng: inout RandomGenerator) -> Color { let g = rng.next() % 2 == 0 ? 0.9 + rng.nextUniform() * 0.1 : rng.nextUniform() * 0.2; return (g, g, g) }

let patternNames: [(Pattern, String)] = [(.stripes, "条纹"), (.checks, "格子"), (.dots, "波点"), (.solid, "纯色"),
                                         (.gradient, "渐变色"), (.camouflage, "迷彩"), (.zebra, "斑马纹"), (.flowers, "碎花")]
let colorNames: [(Float, String)] = [(0.0, "红"), (0.33, "绿"), (0.62, "蓝"), (0.15, "黄"), (0.8, "紫")]

func write(_ image: RGBImage, _ path: String, jpeg: Bool) throws {
    let data = jpeg ? try JPEG.encode(image, quality: 85) : try PNG.encode(image)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: path))
}

/// A second colour far from the first in hue and brightness, so every pattern stays visible.
func contrasting(_ rng: inout RandomGenerator) -> (Color, Color) {
    let hue = rng.nextUniform(), value = 0.3 + rng.nextUniform() * 0.7
    let fg = hsv(hue, 0.4 + rng.nextUniform() * 0.6, value)
    let other = (hue + 0.25 + rng.nextUniform() * 0.5).truncatingRemainder(dividingBy: 1)
    let otherValue = value > 0.6 ? value - 0.3 - rng.nextUniform() * 0.2 : value + 0.3 + rng.nextUniform() * 0.1
    return (fg, hsv(other, 0.4 + rng.nextUniform() * 0.6, min(1, otherValue)))
}

func patternImage(_ pattern: Pattern, _ rng: inout RandomGenerator) -> RGBImage {
    var (fg, bg) = contrasting(&rng)
    if pattern == .camouflage { fg = hsv(0.22 + rng.nextUniform() * 0.1, 0.6, 0.35); bg = hsv(0.1 + rng.nextUniform() * 0.05, 0.5, 0.55) }
    if pattern == .zebra && rng.next() % 2 == 0 { fg = (0.05, 0.05, 0.05); bg = (0.95, 0.95, 0.95) }
    return draw(pattern, fg: fg, bg: bg, rng: &rng).image(noise: 0.02 + rng.nextUniform() * 0.02, rng: &rng)
}

func colorImage(_ hue: Float, _ rng: inout RandomGenerator) -> RGBImage {
    let bg = hsv((hue + (rng.nextUniform() - 0.5) * 0.06 + 1).truncatingRemainder(dividingBy: 1), 0.6 + rng.nextUniform() * 0.4, 0.5 + rng.nextUniform() * 0.5)
    let pattern = Pattern.allCases[Int(rng.next() % 8)]
    return draw(pattern, fg: neutral(&rng), bg: bg, rng: &rng).image(noise: 0.04, rng: &rng)
}

var rng = RandomGenerator(seed: 20181)
do {
    try? FileManager.default.removeItem(atPath: output)
    for (index, (pattern, name)) in patternNames.enumerated() {
        let trainCount = pattern == .camouflage ? 10 : 80
        for split in ["train", "val"] {
            for i in 0..<(split == "train" ? trainCount : 16) {
                try write(patternImage(pattern, &rng), "\(output)/prints/印花/\(split)/\(name)/\(name)-\(i).jpg", jpeg: (i + index) % 4 != 0)
            }
        }
    }
    for (hue, name) in colorNames {
        for split in ["train", "val"] {
            for i in 0..<(split == "train" ? 50 : 16) {
                try write(colorImage(hue, &rng), "\(output)/prints/颜色/\(split)/\(name)/\(name)-\(i).jpg", jpeg: true)
            }
        }
    }
    try write(patternImage(.stripes, &rng), "\(output)/predict/stripes.jpg", jpeg: true)
    try write(patternImage(.flowers, &rng), "\(output)/predict/small flowers 碎花.png", jpeg: false)
    try write(colorImage(0.62, &rng), "\(output)/predict/blue.jpg", jpeg: true)
    print("wrote \(output)/prints (tasks 印花 and 颜色) and \(output)/predict")
} catch {
    print("make-samples: \(error)")
    exit(1)
}
