import Foundation

/// Adam with decoupled weight decay (PyTorch's torch.optim.AdamW):
/// p ← p·(1 − lr·λ);  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
public final class AdamW {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var exemptBiasAndNormFromDecay: Bool
    public let parameters: [NamedVariable]
    private var moments: [(m: Tensor, v: Tensor, step: Int)?]

    public init(parameters: [NamedVariable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 1e-2, exemptBiasAndNormFromDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.exemptBiasAndNormFromDecay = exemptBiasAndNormFromDecay
        moments = Array(repeating: nil, count: parameters.count)
    }

    /// Updates every parameter that has a gradient. Throws, changing nothing, if a gradient is not finite.
    public func step() throws {
        try checkGradientsFinite(parameters, optimizer: "AdamW")
        for (index, entry) in parameters.enumerated() {
            let p = entry.variable
            guard p.requiresGrad, let grad = p.grad else { continue }
            let n = grad.count
            var state = moments[index] ?? (Tensor(zeros: grad.shape), Tensor(zeros: grad.shape), 0)
            state.step += 1
            let decay = exemptBiasAndNormFromDecay && p.isBiasOrNorm ? 0 : weightDecay
            let w = p.value.mutablePointer(), g = grad.pointer
            let m = state.m.mutablePointer(), v = state.v.mutablePointer()
            let correction1 = 1 - Float(pow(Double(beta1), Double(state.step)))
            let correction2Root = Float((1 - pow(Double(beta2), Double(state.step))).squareRoot())
            let stepSize = learningRate / correction1
            for i in 0..<n {
                w[i] *= 1 - learningRate * decay
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                w[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
            }
            moments[index] = state
        }
    }

    /// Sets every gradient to nil.
    public func zeroGrad() { for entry in parameters { entry.variable.grad = nil } }
}
