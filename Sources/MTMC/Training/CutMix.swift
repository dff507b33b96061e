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
    public func apply(images: Tensor, labels: [Int], classes: Int, rng: inout RandomGenerator) -> (Tensor, Tensor) {
        let (n, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let lambda = Mixup.beta(Double(alpha), rng: &rng)
        var partner = Array(labels.indices)
        rng.shuffle(&partner)
        let b = Self.box(lambda: lambda, width: width, height: height, rng: &rng)
        let pasted = Float((b.x1 - b.x0) * (b.y1 - b.y0)) / Float(width * height)
        var mixed = images
        let source = images.scalars, plane = height * width
        mixed.withUnsafeMutableBufferPointer { out in
            for i in 0..<n where partner[i] != i {
                for c in 0..<channels {
                    let to = (i * channels + c) * plane, from = (partner[i] * channels + c) * plane
                    for y in b.y0..<b.y1 { for x in b.x0..<b.x1 { out[to + y * width + x] = source[from + y * width + x] } }
                }
            }
        }
        var targets = Tensor(zeros: [n, classes])
        targets.withUnsafeMutableBufferPointer { t in
            for i in 0..<n {
                let share = partner[i] == i ? 0 : pasted
                t[i * classes + labels[i]] += 1 - share
                t[i * classes + labels[partner[i]]] += share
            }
        }
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

    func apply(images: Tensor, labels: [Int], classes: Int, rng: inout RandomGenerator) -> (Tensor, Tensor) {
        if let cutMix, mixup == nil || rng.nextUniform() < 0.5 {
            return cutMix.apply(images: images, labels: labels, classes: classes, rng: &rng)
        }
        return mixup!.apply(images: images, labels: labels, classes: classes, rng: &rng)
    }
}
