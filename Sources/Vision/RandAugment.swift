import Engine
import Foundation

/// RandAugment (Cubuk et al., 2020) on an interleaved RGB image in [0, 1]: N operations drawn uniformly
/// (with repetition) from the list below, each at magnitude M of 10 with a random sign where it has one,
/// at timm's ranges: rotate ±30°, shear ±0.3, translate ±45 % of the side (black fill), brightness,
/// colour and contrast factors 1 ± 0.9, posterize down to 4 bits, solarize above 1 − M/10, autocontrast.
public struct RandAugment: Equatable {
    public enum Operation: String, CaseIterable {
        case identity, autocontrast, brightness, color, contrast, posterize, solarize
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
