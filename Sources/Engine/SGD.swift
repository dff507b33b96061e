/// The hyper-parameters of one SGD step. The optimizer keeps none of its own: its caller derives them at each
/// step (a trainer from its settings and the schedule's rate), so no copy can go stale.
public struct SGDHyperparameters: Equatable {
    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float
    /// When true, biases and normalisation weights get no weight decay (a Bag of Tricks option).
    public var exemptBiasAndNormFromDecay: Bool

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                exemptBiasAndNormFromDecay: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.exemptBiasAndNormFromDecay = exemptBiasAndNormFromDecay
    }
}

/// Stochastic gradient descent with momentum, Nesterov and weight decay, with PyTorch's update rule:
/// g ← g + λ·p;  b ← μ·b + (1 − dampening)·g (b ← g at the first step);  g ← g + μ·b (Nesterov) or b;  p ← p − lr·g.
/// Parameters whose gradient is nil this step (an unused head, a frozen backbone) are left untouched. It holds
/// the parameters and their momentum buffers; each step is given its hyper-parameters.
public final class SGD {
    public let parameters: [NamedVariable]
    private var velocity: [Tensor?]

    public init(parameters: [NamedVariable]) {
        self.parameters = parameters
        velocity = Array(repeating: nil, count: parameters.count)
    }

    /// Updates every parameter that has a gradient. Throws, changing nothing, if a gradient is not finite.
    public func step(_ h: SGDHyperparameters) throws {
        try checkGradientsFinite(parameters, optimizer: "SGD")
        for (index, entry) in parameters.enumerated() {
            let p = entry.variable
            guard p.requiresGrad, let grad = p.grad else { continue }
            let decay = h.exemptBiasAndNormFromDecay && p.isBiasOrNorm ? 0 : h.weightDecay
            let parameters = SGDStepParameters(learningRate: h.learningRate, momentum: h.momentum, dampening: h.dampening,
                                               weightDecay: decay, nesterov: h.nesterov)
            p.value.backend.sgdStep(weight: &p.value, gradient: grad, velocity: &velocity[index], parameters)
        }
    }

    /// Sets every gradient to nil, as PyTorch's zero_grad(set_to_none=True).
    public func zeroGrad() { for entry in parameters { entry.variable.grad = nil } }

    /// Moves the momentum buffers to `device` (with the parameters they belong to).
    public func move(to device: Device) {
        velocity = velocity.map { $0?.to(device) }
    }

    /// Momentum buffers named `momentum_buffer.<parameter name>`, for checkpoints.
    public func state() -> [(name: String, tensor: Tensor)] {
        zip(parameters, velocity).compactMap { entry, buffer in
            buffer.map { ("momentum_buffer." + entry.name, $0) }
        }
    }

    /// Restores momentum buffers saved by `state()`; parameters without one start fresh.
    public func loadState(_ tensors: [String: Tensor]) throws {
        var restored = [Tensor?](repeating: nil, count: parameters.count)
        for (index, entry) in parameters.enumerated() {
            guard let t = tensors["momentum_buffer." + entry.name] else { continue }
            guard t.shape == entry.variable.value.shape else {
                throw EngineError.shapeMismatch("SGD state", "momentum buffer of \(entry.name)", t.shape, entry.variable.value.shape)
            }
            restored[index] = t
        }
        velocity = restored
    }
}

/// Throws naming the first parameter whose gradient holds NaN or infinity.
func checkGradientsFinite(_ parameters: [NamedVariable], optimizer: String) throws {
    let gradients = parameters.compactMap { entry in entry.variable.grad.map { (entry.name, $0) } }
    guard let index = Tensor.firstNonFinite(in: gradients.map(\.1)) else { return }
    let (name, grad) = gradients[index]
    throw EngineError("\(optimizer) step: gradient of \(name) \(describe(grad.shape)) holds \(grad.firstNonFinite ?? .nan); no parameter was changed")
}
