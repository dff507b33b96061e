import Engine
import Foundation

/// Per-channel mean and standard deviation used to normalise inputs (ImageNet's by default).
public struct Normalization: Equatable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
}

/// The training augmentation of DESIGN.md §2, as ranges from which each image draws its own values.
public struct AugmentationSettings: Equatable {
    /// Maximum rotation either way, in degrees.
    public var rotationDegrees: Float = 15
    /// Maximum translation either way, as a fraction of the image side.
    public var translation: Float = 0.1
    public var scaleRange: ClosedRange<Float> = 0.9...1.1
    /// Mirror half of the images left-right (wrong for characters, so it can be turned off).
    public var horizontalFlip = true
    public var brightness: Float = 0.05
    public var contrast: Float = 0.05
    public var saturation: Float = 0.05
    public var hue: Float = 0.05
    /// Random resized crop (Inception, torchvision's RandomResizedCrop) instead of the affine: a crop of this
    /// fraction of the image's area, aspect ratio log-uniform in 3/4…4/3, anywhere inside, resized to the output.
    public var resizedCropArea: ClosedRange<Float>?
    /// RandAugment after the geometry and colour jitter; nil is off.
    public var randAugment: RandAugment?

    public init() {}

    /// No geometric or colour change: the training view equals the centre crop.
    public static var none: AugmentationSettings {
        var s = AugmentationSettings()
        s.rotationDegrees = 0; s.translation = 0; s.scaleRange = 1...1; s.horizontalFlip = false
        s.brightness = 0; s.contrast = 0; s.saturation = 0; s.hue = 0
        return s
    }
}

/// Writes the augmented training view of `image` into `out` as normalised Float32 [3, height, width]:
/// resize to the output size and random affine (about the image centre, bilinear, black fill) in one
/// resampling, then flip, colour jitter and normalisation. The same generator state gives the same result.
public func writeAugmented(_ image: RGBImage, width: Int, height: Int, settings s: AugmentationSettings,
                           normalization: Normalization, rng: inout RandomGenerator, into out: UnsafeMutablePointer<Float>) {
    if let area = s.resizedCropArea {
        return writeResizedCrop(image, width: width, height: height, settings: s, area: area, normalization: normalization, rng: &rng, into: out)
    }
    func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }
    let angle = uniform(-s.rotationDegrees, s.rotationDegrees) * .pi / 180
    let tx = (uniform(-s.translation, s.translation) * Float(image.width)).rounded()
    let ty = (uniform(-s.translation, s.translation) * Float(image.height)).rounded()
    let scale = uniform(s.scaleRange.lowerBound, s.scaleRange.upperBound)
    let flip = s.horizontalFlip && rng.nextUniform() < 0.5
    let jitter = (b: uniform(1 - s.brightness, 1 + s.brightness), c: uniform(1 - s.contrast, 1 + s.contrast),
                  s: uniform(1 - s.saturation, 1 + s.saturation), h: uniform(-s.hue, s.hue))

    // Inverse map: output pixel → the same point of the image resized to the output (as the validation
    // view resizes) → undo translation, rotation and scale about the centre. Train and validation thus
    // see objects at the same scale.
    let cx = Float(image.width) / 2, cy = Float(image.height) / 2
    let ratioX = Float(image.width) / Float(width), ratioY = Float(image.height) / Float(height)
    let cosA = cos(angle) / scale, sinA = sin(angle) / scale
    let area = width * height
    var rgb = [Float](repeating: 0, count: area * 3)
    image.pixels.withUnsafeBufferPointer { src in
        for oy in 0..<height {
            for ox in 0..<width {
                let px = (Float(flip ? width - 1 - ox : ox) + 0.5) * ratioX - cx - tx
                let py = (Float(oy) + 0.5) * ratioY - cy - ty
                let sx = cosA * px + sinA * py + cx - 0.5
                let sy = -sinA * px + cosA * py + cy - 0.5
                let pixel = bilinear(src, image.width, image.height, sx, sy)
                let o = (oy * width + ox) * 3
                rgb[o] = pixel.0; rgb[o + 1] = pixel.1; rgb[o + 2] = pixel.2
            }
        }
    }
    colorJitter(&rgb, brightness: jitter.b, contrast: jitter.c, saturation: jitter.s, hue: jitter.h)
    s.randAugment?.apply(&rgb, width: width, height: height, rng: &rng)
    writeNormalized(rgb, area: area, normalization: normalization, into: out)
}

/// The random-resized-crop view: a box of `area` × the image's area (aspect 3/4…4/3, clipped to the image),
/// resampled to the output, then flip, colour jitter and normalisation as `writeAugmented`.
func writeResizedCrop(_ image: RGBImage, width: Int, height: Int, settings s: AugmentationSettings, area: ClosedRange<Float>,
                      normalization: Normalization, rng: inout RandomGenerator, into out: UnsafeMutablePointer<Float>) {
    func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }
    let fraction = uniform(area.lowerBound, area.upperBound), ratio = exp(uniform(log(3 / 4), log(4 / 3)))
    let cropW = min(Float(image.width), (fraction * ratio).squareRoot() * Float(image.width))
    let cropH = min(Float(image.height), (fraction / ratio).squareRoot() * Float(image.height))
    let x0 = uniform(0, Float(image.width) - cropW), y0 = uniform(0, Float(image.height) - cropH)
    let flip = s.horizontalFlip && rng.nextUniform() < 0.5
    let jitter = (b: uniform(1 - s.brightness, 1 + s.brightness), c: uniform(1 - s.contrast, 1 + s.contrast),
                  s: uniform(1 - s.saturation, 1 + s.saturation), h: uniform(-s.hue, s.hue))
    var rgb = [Float](repeating: 0, count: width * height * 3)
    image.pixels.withUnsafeBufferPointer { src in
        for oy in 0..<height {
            for ox in 0..<width {
                let sx = x0 + (Float(flip ? width - 1 - ox : ox) + 0.5) * cropW / Float(width) - 0.5
                let sy = y0 + (Float(oy) + 0.5) * cropH / Float(height) - 0.5
                let pixel = bilinear(src, image.width, image.height, sx, sy)
                let o = (oy * width + ox) * 3
                rgb[o] = pixel.0; rgb[o + 1] = pixel.1; rgb[o + 2] = pixel.2
            }
        }
    }
    colorJitter(&rgb, brightness: jitter.b, contrast: jitter.c, saturation: jitter.s, hue: jitter.h)
    s.randAugment?.apply(&rgb, width: width, height: height, rng: &rng)
    writeNormalized(rgb, area: width * height, normalization: normalization, into: out)
}

/// Writes the validation view of `image`: resized to width×height and normalised, [3, height, width].
public func writeValidation(_ image: RGBImage, width: Int, height: Int, normalization: Normalization,
                            into out: UnsafeMutablePointer<Float>) {
    let view = resized(image, width: width, height: height)
    writeNormalized(view.pixels.map { Float($0) / 255 }, area: width * height, normalization: normalization, into: out)
}

/// Interleaved RGB in [0, 1] → planar, normalised CHW.
private func writeNormalized(_ rgb: [Float], area: Int, normalization n: Normalization, into out: UnsafeMutablePointer<Float>) {
    for c in 0..<3 {
        let mean = n.mean[c], inverseStd = 1 / n.std[c]
        let plane = out + c * area
        for i in 0..<area { plane[i] = (rgb[i * 3 + c] - mean) * inverseStd }
    }
}

/// Bilinear sample of an interleaved RGB image at (x, y) in pixel-centre coordinates, in [0, 1];
/// positions outside the image read black.
@inline(__always)
private func bilinear(_ p: UnsafeBufferPointer<UInt8>, _ w: Int, _ h: Int, _ x: Float, _ y: Float) -> (Float, Float, Float) {
    let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
    let fx = x - Float(x0), fy = y - Float(y0)
    var r: Float = 0, g: Float = 0, b: Float = 0
    @inline(__always) func tap(_ xx: Int, _ yy: Int, _ weight: Float) {
        guard xx >= 0, xx < w, yy >= 0, yy < h, weight > 0 else { return }
        let i = (yy * w + xx) * 3
        r += weight * Float(p[i]); g += weight * Float(p[i + 1]); b += weight * Float(p[i + 2])
    }
    tap(x0, y0, (1 - fx) * (1 - fy))
    tap(x0 + 1, y0, fx * (1 - fy))
    tap(x0, y0 + 1, (1 - fx) * fy)
    tap(x0 + 1, y0 + 1, fx * fy)
    return (r / 255, g / 255, b / 255)
}

/// torchvision's ColorJitter adjustments in a fixed order: brightness, contrast (towards the mean
/// grey), saturation (towards each pixel's grey), hue (rotation in HSV). Values stay in [0, 1].
func colorJitter(_ rgb: inout [Float], brightness: Float, contrast: Float, saturation: Float, hue: Float) {
    let n = rgb.count / 3
    func gray(_ i: Int) -> Float { 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2] }
    if brightness != 1 { for i in 0..<rgb.count { rgb[i] = min(1, max(0, rgb[i] * brightness)) } }
    if contrast != 1 {
        var mean: Float = 0
        for i in 0..<n { mean += gray(i) }
        mean /= Float(max(n, 1))
        for i in 0..<rgb.count { rgb[i] = min(1, max(0, (rgb[i] - mean) * contrast + mean)) }
    }
    if saturation != 1 {
        for i in 0..<n {
            let g = gray(i)
            for c in 0..<3 { rgb[i * 3 + c] = min(1, max(0, g + (rgb[i * 3 + c] - g) * saturation)) }
        }
    }
    if hue != 0 {
        for i in 0..<n {
            var (h, s, v) = rgbToHSV(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2])
            h = (h + hue).truncatingRemainder(dividingBy: 1)
            if h < 0 { h += 1 }
            (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]) = hsvToRGB(h, s, v)
        }
    }
}

func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
    let maxC = max(r, g, b), minC = min(r, g, b), delta = maxC - minC
    var h: Float = 0
    if delta > 0 {
        if maxC == r { h = (g - b) / delta } else if maxC == g { h = 2 + (b - r) / delta } else { h = 4 + (r - g) / delta }
        h /= 6
        if h < 0 { h += 1 }
    }
    return (h, maxC > 0 ? delta / maxC : 0, maxC)
}

func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
    let sector = h * 6, i = Int(sector.rounded(.down)) % 6, f = sector - sector.rounded(.down)
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch i {
    case 0: return (v, t, p)
    case 1: return (q, v, p)
    case 2: return (p, v, t)
    case 3: return (p, q, v)
    case 4: return (t, p, v)
    default: return (v, p, q)
    }
}
