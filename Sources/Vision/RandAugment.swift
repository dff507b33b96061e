import Engine
import Foundation

/// RandAugment (Cubuk et al., 2020) on an interleaved RGB image in [0, 1]: N operations drawn uniformly
/// (with repetition) from the list below, each at magnitude M of 10 with a random sign where it has one,
/// at timm's ranges: rotate ±30°, shear ±0.3, translate ±45 % of the side (black fill), brightness,
/// colour, contrast and sharpness factors 1 ± 0.9, posterize down to 4 bits, solarize above 1 − M/10,
/// autocontrast and equalize.
public struct RandAugment: Equatable {
    public enum Operation: String, CaseIterable {
        case identity, autocontrast, equalize, brightness, color, contrast, sharpness, posterize, solarize
        case rotate, shearX, shearY, translateX, translateY
    }

    public let count: Int
    public let magnitude: Float

    public init(count: Int, magnitude: Float) {
        self.count = count
        self.magnitude = magnitude
    }

    /// Applies `count` random operations; returns them, in order, with their signed strengths.
    @discardableResult
    public func apply(_ rgb: inout [Float], width: Int, height: Int, rng: inout RandomGenerator) -> [(Operation, Float)] {
        var applied: [(Operation, Float)] = []
        for _ in 0..<count {
            let op = Operation.allCases[min(Operation.allCases.count - 1, Int(rng.nextUniform() * Float(Operation.allCases.count)))]
            let strength = magnitude / 10 * (rng.nextUniform() < 0.5 ? -1 : 1)
            Self.apply(op, strength: strength, to: &rgb, width: width, height: height)
            applied.append((op, strength))
        }
        return applied
    }

    /// One operation at a signed strength in −1…1 (the sign is ignored where the operation has none).
    public static func apply(_ op: Operation, strength s: Float, to rgb: inout [Float], width: Int, height: Int) {
        let m = abs(s)
        switch op {
        case .identity: break
        case .autocontrast: autocontrast(&rgb)
        case .equalize: equalize(&rgb)
        case .sharpness: sharpen(&rgb, width, height, factor: 1 + 0.9 * s)
        case .brightness: colorJitter(&rgb, brightness: 1 + 0.9 * s, contrast: 1, saturation: 1, hue: 0)
        case .color: colorJitter(&rgb, brightness: 1, contrast: 1, saturation: 1 + 0.9 * s, hue: 0)
        case .contrast: colorJitter(&rgb, brightness: 1, contrast: 1 + 0.9 * s, saturation: 1, hue: 0)
        case .posterize:
            let levels = Float(1 << (8 - Int((4 * m).rounded(.down))))
            // As PIL, on the 8-bit value: keep its top bits.
            for i in rgb.indices { rgb[i] = (min(255, (rgb[i] * 255).rounded()) / (256 / levels)).rounded(.down) * (256 / levels) / 255 }
        case .solarize:
            let threshold = 1 - m
            for i in rgb.indices where rgb[i] >= threshold { rgb[i] = 1 - rgb[i] }
        case .rotate: warp(&rgb, width, height, angle: 30 * s * .pi / 180)
        case .shearX: warp(&rgb, width, height, shear: (0.3 * s, 0))
        case .shearY: warp(&rgb, width, height, shear: (0, 0.3 * s))
        case .translateX: warp(&rgb, width, height, shift: ((0.45 * s * Float(width)).rounded(), 0))
        case .translateY: warp(&rgb, width, height, shift: (0, (0.45 * s * Float(height)).rounded()))
        }
    }

    /// Each channel stretched so that its darkest value becomes 0 and its brightest 1 (PIL's autocontrast).
    static func autocontrast(_ rgb: inout [Float]) {
        for c in 0..<3 {
            let values = stride(from: c, to: rgb.count, by: 3).map { rgb[$0] }
            guard let lo = values.min(), let hi = values.max(), hi > lo else { continue }
            for i in stride(from: c, to: rgb.count, by: 3) { rgb[i] = (rgb[i] - lo) / (hi - lo) }
        }
    }

    /// Each channel's 8-bit histogram flattened, as PIL's ImageOps.equalize: value v maps to the count of values
    /// below it over `step`, where step is the count of all but the brightest value's pixels over 255
    /// (rounded half up); with step 0 (fewer than 255 such pixels) the channel stays as it is.
    static func equalize(_ rgb: inout [Float]) {
        for c in 0..<3 {
            var histogram = [Int](repeating: 0, count: 256)
            for i in stride(from: c, to: rgb.count, by: 3) { histogram[Int(min(255, max(0, (rgb[i] * 255).rounded())))] += 1 }
            guard let last = histogram.lastIndex(where: { $0 > 0 }) else { continue }
            let step = (histogram.reduce(0, +) - histogram[last]) / 255
            guard step > 0 else { continue }
            var lut = [Float](repeating: 0, count: 256), n = step / 2
            for v in 0..<256 {
                lut[v] = Float(min(255, n / step)) / 255
                n += histogram[v]
            }
            for i in stride(from: c, to: rgb.count, by: 3) { rgb[i] = lut[Int(min(255, max(0, (rgb[i] * 255).rounded())))] }
        }
    }

    /// Blends with a smoothed copy, as torchvision's adjust_sharpness: the copy is the 3×3 kernel
    /// [1 1 1; 1 5 1; 1 1 1] / 13 inside and the image itself on the border; factor 1 is the image,
    /// below 1 blurs, above 1 sharpens (clipped to 0…1).
    static func sharpen(_ rgb: inout [Float], _ width: Int, _ height: Int, factor: Float) {
        guard width >= 3 && height >= 3 else { return }
        let source = rgb
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                for ch in 0..<3 {
                    var sum: Float = 0
                    for dy in -1...1 { for dx in -1...1 { sum += source[((y + dy) * width + x + dx) * 3 + ch] } }
                    let center = source[(y * width + x) * 3 + ch]
                    let smooth = (sum + 4 * center) / 13
                    rgb[(y * width + x) * 3 + ch] = min(1, max(0, smooth + factor * (center - smooth)))
                }
            }
        }
    }

    /// Resamples about the centre (nearest pixel, black outside): output point p reads the input at
    /// R⁻¹·S⁻¹·(p − shift), so whole-pixel shifts move pixels exactly.
    static func warp(_ rgb: inout [Float], _ width: Int, _ height: Int, angle: Float = 0, shear: (Float, Float) = (0, 0),
                     shift: (Float, Float) = (0, 0)) {
        let source = rgb, cx = Float(width - 1) / 2, cy = Float(height - 1) / 2
        let (c, s) = (cos(angle), sin(angle))
        for oy in 0..<height {
            for ox in 0..<width {
                let px = Float(ox) - cx - shift.0, py = Float(oy) - cy - shift.1
                let rx = c * px + s * py, ry = -s * px + c * py
                let determinant = 1 - shear.0 * shear.1
                let sx = (rx - shear.0 * ry) / determinant + cx, sy = (ry - shear.1 * rx) / determinant + cy
                let ix = Int(sx.rounded()), iy = Int(sy.rounded()), o = (oy * width + ox) * 3
                let inside = ix >= 0 && ix < width && iy >= 0 && iy < height
                for ch in 0..<3 { rgb[o + ch] = inside ? source[(iy * width + ix) * 3 + ch] : 0 }
            }
        }
    }
}
