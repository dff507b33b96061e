import Engine
import Foundation

/// CutMix (Yun et al., 2019): each image of the batch gets a box cut from its partner (a shuffle of the
/// batch) pasted in; its target weighs the two labels by area. λ ~ Beta(α, α) sizes the box (side √(1 − λ)
/// of the image's), its centre is uniform, and it is clipped at the borders, so the label weight is
/// recomputed from the box actually pasted: exactly the fraction of pixels that came from each image.
public struct CutMix {
    public let alpha: Float

    public init(alpha: Float) {
        self.alpha = alpha
    }

    /// The box [x0, x1) × [y0, y1) for a drawn λ in an image of `width` × `height`.
    public static func box(lambda: Double, width: Int, height: Int, rng: inout RandomGenerator) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        let side = (1 - lambda).squareRoot()
        let w = Int(Double(width) * side), h = Int(Double(height) * side)
        let cx = min(width - 1, Int(Double(rng.nextUniform()) * Double(width)))
        let cy = min(height - 1, Int(Double(rng.nextUniform()) * Double(height)))
        return (max(0, cx - w / 2), max(0, cy - h / 2), min(width, cx + w / 2), min(height, cy + h / 2))
    }

    /// The images [N, C, H, W] with their partners' boxes pasted in, and soft targets weighted by area.
    public func apply(images: Tensor, labels: [Int], classes: Int, rng: inout RandomGenerator) throws -> (Tensor, Tensor) {
        let (height, width) = (images.shape[2], images.shape[3])
        let lambda = Mixup.beta(Double(alpha), rng: &rng)
        var partner = Array(labels.indices)
        rng.shuffle(&partner)
        let b = Self.box(lambda: lambda, width: width, height: height, rng: &rng)
        let pasted = Float((b.x1 - b.x0) * (b.y1 - b.y0)) / Float(width * height)
        // An image that is its own partner gets its own box back, and both its labels are one.
        let mixed = try images.pasting(try images.selecting(partner), rows: b.y0..<b.y1, columns: b.x0..<b.x1)
        var targets = oneHot(labels, classes: classes)
        targets.blend(toward: oneHot(partner.map { labels[$0] }, classes: classes), keep: 1 - pasted)
        return (mixed, targets)
    }
}

/// Mixup, CutMix, or (both set) one of them per batch by a fair coin, as timm's Mixup with switch_prob 0.5.
struct BatchMixer {
    let mixup: Mixup?
    let cutMix: CutMix?

    init?(settings: TrainingSettings) {
        mixup = settings.mixupAlpha > 0 ? Mixup(alpha: settings.mixupAlpha) : nil
        cutMix = settings.cutMixAlpha > 0 ? CutMix(alpha: settings.cutMixAlpha) : nil
        if mixup == nil && cutMix == nil { return nil }
    }

    func apply(images: Tensor, labels: [Int], classes: Int, rng: inout RandomGenerator) throws -> (Tensor, Tensor) {
        if let cutMix, mixup == nil || rng.nextUniform() < 0.5 {
            return try cutMix.apply(images: images, labels: labels, classes: classes, rng: &rng)
        }
        return try mixup!.apply(images: images, labels: labels, classes: classes, rng: &rng)
    }
}
