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
    let jitter = ColorJitter(brightness: uniform(1 - s.brightness, 1 + s.brightness), contrast: uniform(1 - s.contrast, 1 + s.contrast),
                             saturation: uniform(1 - s.saturation, 1 + s.saturation), hue: uniform(-s.hue, s.hue))

    // Inverse map: output pixel → the same point of the image resized to the output (as the validation
    // view resizes) → undo translation, rotation and scale about the centre. Train and validation thus
    // see objects at the same scale.
    let cx = Float(image.width) / 2, cy = Float(image.height) / 2
    let ratioX = Float(image.width) / Float(width), ratioY = Float(image.height) / Float(height)
    let cosA = cos(angle) / scale, sinA = sin(angle) / scale
    sampleBilinear(image, width: width, height: height, into: out) { ox, oy in
        let px = (Float(flip ? width - 1 - ox : ox) + 0.5) * ratioX - cx - tx
        let py = (Float(oy) + 0.5) * ratioY - cy - ty
        return (cosA * px + sinA * py + cx - 0.5, -sinA * px + cosA * py + cy - 0.5)
    }
    finishAugmented(out, width: width, height: height, jitter: jitter, randAugment: s.randAugment, normalization: normalization, rng: &rng)
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
    let jitter = ColorJitter(brightness: uniform(1 - s.brightness, 1 + s.brightness), contrast: uniform(1 - s.contrast, 1 + s.contrast),
                             saturation: uniform(1 - s.saturation, 1 + s.saturation), hue: uniform(-s.hue, s.hue))
    sampleBilinear(image, width: width, height: height, into: out) { ox, oy in
        (x0 + (Float(flip ? width - 1 - ox : ox) + 0.5) * cropW / Float(width) - 0.5, y0 + (Float(oy) + 0.5) * cropH / Float(height) - 0.5)
    }
    finishAugmented(out, width: width, height: height, jitter: jitter, randAugment: s.randAugment, normalization: normalization, rng: &rng)
}

/// The colour half of a training view, on the sampled planes in `out`: jitter and normalisation in place;
/// with RandAugment, whose operations work on interleaved pixels, through an interleaved copy.
private func finishAugmented(_ out: UnsafeMutablePointer<Float>, width: Int, height: Int, jitter: ColorJitter, randAugment: RandAugment?,
                             normalization: Normalization, rng: inout RandomGenerator) {
    let area = width * height
    guard let randAugment else { return jitterAndNormalize(out, area: area, jitter: jitter, normalization: normalization) }
    var rgb = [Float](repeating: 0, count: area * 3)
    for i in 0..<area { for c in 0..<3 { rgb[i * 3 + c] = out[c * area + i] } }
    colorJitter(&rgb, brightness: jitter.brightness, contrast: jitter.contrast, saturation: jitter.saturation, hue: jitter.hue)
    randAugment.apply(&rgb, width: width, height: height, rng: &rng)
    rgb.withUnsafeBufferPointer { rgb in
        for c in 0..<3 {
            let mean = normalization.mean[c], inverseStd = 1 / normalization.std[c]
            for i in 0..<area { out[c * area + i] = (rgb[i * 3 + c] - mean) * inverseStd }
        }
    }
}

/// Writes the validation view of `image`: resized to width×height and normalised, [3, height, width].
public func writeValidation(_ image: RGBImage, width: Int, height: Int, normalization n: Normalization,
                            into out: UnsafeMutablePointer<Float>) {
    let view = resized(image, width: width, height: height), area = width * height
    view.pixels.withUnsafeBufferPointer { pixels in
        for c in 0..<3 {
            let mean = n.mean[c], inverseStd = 1 / n.std[c], plane = out + c * area
            for i in 0..<area { plane[i] = (Float(pixels[i * 3 + c]) / 255 - mean) * inverseStd }
        }
    }
}

/// Fills `out` ([3, height, width] planes, values in [0, 1]) with the bilinear sample of `image` at the
/// position `source(ox, oy)` gives each output pixel, in pixel-centre coordinates; outside the image is black.
/// The sums go to the planes first and are divided by 255 in a second pass, which vectorises.
@inline(__always)
private func sampleBilinear(_ image: RGBImage, width: Int, height: Int, into out: UnsafeMutablePointer<Float>,
                            source: (Int, Int) -> (Float, Float)) {
    let area = width * height
    image.pixels.withUnsafeBufferPointer { pixels in
        let p = pixels.baseAddress!
        for oy in 0..<height {
            for ox in 0..<width {
                let (x, y) = source(ox, oy)
                let sum = bilinearSum(p, image.width, image.height, x, y)
                let o = oy * width + ox
                out[o] = sum.0; out[area + o] = sum.1; out[2 * area + o] = sum.2
            }
        }
    }
    for i in 0..<(3 * area) { out[i] = out[i] / 255 }
}

/// Bilinear sums of an interleaved RGB image at (x, y) in pixel-centre coordinates, in [0, 255];
/// positions outside the image read black. Inside, the four taps are summed unconditionally: a tap of
/// weight 0 adds +0, so the sum is the one the edge path's skipping gives.
@inline(__always)
private func bilinearSum(_ p: UnsafePointer<UInt8>, _ w: Int, _ h: Int, _ x: Float, _ y: Float) -> (Float, Float, Float) {
    let (x0, fx) = floorAndFraction(x), (y0, fy) = floorAndFraction(y)
    let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
    if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
        let i = (y0 * w + x0) * 3, j = i + w * 3
        let r = w00 * Float(p[i]) + w10 * Float(p[i + 3]) + w01 * Float(p[j]) + w11 * Float(p[j + 3])
        let g = w00 * Float(p[i + 1]) + w10 * Float(p[i + 4]) + w01 * Float(p[j + 1]) + w11 * Float(p[j + 4])
        let b = w00 * Float(p[i + 2]) + w10 * Float(p[i + 5]) + w01 * Float(p[j + 2]) + w11 * Float(p[j + 5])
        return (r, g, b)
    }
    var r: Float = 0, g: Float = 0, b: Float = 0
    @inline(__always) func tap(_ xx: Int, _ yy: Int, _ weight: Float) {
        guard xx >= 0, xx < w, yy >= 0, yy < h, weight > 0 else { return }
        let i = (yy * w + xx) * 3
        r += weight * Float(p[i]); g += weight * Float(p[i + 1]); b += weight * Float(p[i + 2])
    }
    tap(x0, y0, w00)
    tap(x0 + 1, y0, w10)
    tap(x0, y0 + 1, w01)
    tap(x0 + 1, y0 + 1, w11)
    return (r, g, b)
}

/// ⌊x⌋ and x − ⌊x⌋ for |x| < 2²², without a library call or a checked conversion: adding 1.5·2²³ rounds x to
/// an integer (exact, the sum's last bit is worth 1), one less where that rounded up; the floor plus 1.5·2²³
/// is exact again and its bit pattern holds the integer.
@inline(__always)
private func floorAndFraction(_ x: Float) -> (Int, Float) {
    let nearest = (x + 0x1.8p23) - 0x1.8p23
    let floor = nearest > x ? nearest - 1 : nearest
    return (Int((floor + 0x1.8p23).bitPattern) - 0x4B40_0000, x - floor)
}
