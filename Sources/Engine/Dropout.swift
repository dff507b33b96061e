/// x · mask / (1 − p), where `mask` holds 0 or 1 per element (PyTorch's inverted dropout).
public func dropout(_ x: Variable, mask: Tensor, p: Float) throws -> Variable {
    guard mask.shape == x.shape else { throw EngineError.shapeMismatch("dropout", "mask shape differs from input", mask.shape, x.shape) }
    guard p >= 0, p < 1 else { throw EngineError.invalid("dropout", "probability must be in [0, 1), got \(p)") }
    let backend = x.value.backend
    let layout = x.value.layout, scaledMask = backend.scale(mask.inLayout(layout).memory, by: 1 / (1 - p))
    return Variable.result(backend.multiply(x.value.memory, scaledMask).laidOut(as: layout), parents: [x]) { dy in
        x.accumulate(backend.multiply(dy.memory, scaledMask).laidOut(as: layout))
    }
}

/// Dropout layer: zeroes each element with probability `p` in training, identity in evaluation.
public final class Dropout: Module {
    public let p: Float
    public var training = true
    private var rng: RandomGenerator

    public init(p: Float, seed: UInt64) {
        self.p = p
        rng = RandomGenerator(seed: seed)
    }

    public func callAsFunction(_ x: Variable) throws -> Variable {
        guard training, p > 0 else { return x }
        var mask = Tensor(uninitialized: x.shape)
        let mp = mask.mutablePointer()
        for i in 0..<mask.count { mp[i] = rng.nextUniform() < p ? 0 : 1 }
        return try dropout(x, mask: mask, p: p)
    }

    public func setTraining(_ training: Bool) { self.training = training }
    public func namedVariables(prefix: String) -> [NamedVariable] { [] }
}
