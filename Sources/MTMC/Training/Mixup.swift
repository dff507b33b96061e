import Engine
import Foundation

/// Mixup (Zhang et al.): blends each image and its one-hot label with another image of the batch,
/// x = λ·xᵢ + (1 − λ)·xⱼ, λ ~ Beta(α, α).
struct Mixup {
    let alpha: Float

    /// The mixed images and soft targets for a batch of `classes`-way labels.
    func apply(images: Tensor, labels: [Int], classes: Int, rng: inout RandomGenerator) throws -> (Tensor, Tensor) {
        let lambda = Float(Mixup.beta(Double(alpha), rng: &rng))
        var partner = Array(labels.indices)
        rng.shuffle(&partner)
        var mixed = images, targets = oneHot(labels, classes: classes)
        mixed.blend(toward: try images.selecting(partner), keep: lambda)
        targets.blend(toward: oneHot(partner.map { labels[$0] }, classes: classes), keep: lambda)
        return (mixed, targets)
    }

    /// Beta(a, a) from two Gamma(a) draws.
    static func beta(_ a: Double, rng: inout RandomGenerator) -> Double {
        let x = gamma(a, rng: &rng), y = gamma(a, rng: &rng)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang, boosted for shape < 1.
    static func gamma(_ shape: Double, rng: inout RandomGenerator) -> Double {
        if shape < 1 {
            let u = max(Double(rng.nextUniform()), 1e-12)
            return gamma(shape + 1, rng: &rng) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(rng.nextNormal())
            let v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            let u = max(Double(rng.nextUniform()), 1e-12)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
