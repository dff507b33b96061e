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
            var state = moments[index] ?? (Tensor(zeros: grad.shape), Tensor(zeros: grad.shape), 0)
            state.step += 1
            let decay = exemptBiasAndNormFromDecay && p.isBiasOrNorm ? 0 : weightDecay
            let parameters = AdamWStepParameters(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                                 weightDecay: decay, step: state.step)
            p.value.backend.adamWStep(weight: &p.value, gradient: grad, m: &state.m, v: &state.v, parameters)
            moments[index] = state
        }
    }

    /// Sets every gradient to nil.
    public func zeroGrad() { for entry in parameters { entry.variable.grad = nil } }
}
