/// y = x · Wᵀ + b for x of shape [N, in], W of shape [out, in], b of shape [out] (PyTorch's nn.Linear).
public func linear(_ x: Variable, _ weight: Variable, _ bias: Variable?) throws -> Variable {
    let op = "linear"
    guard x.shape.count == 2, weight.shape.count == 2 else {
        throw EngineError.shapeMismatch(op, "input must be [N, in] and weight [out, in]", x.shape, weight.shape)
    }
    let (n, inFeatures, outFeatures) = (x.shape[0], x.shape[1], weight.shape[0])
    guard weight.shape[1] == inFeatures else {
        throw EngineError.shapeMismatch(op, "input features differ from weight's", x.shape, weight.shape)
    }
    if let bias, bias.shape != [outFeatures] {
        throw EngineError.shapeMismatch(op, "bias must be [out]", bias.shape, [outFeatures])
    }
    let backend = x.value.backend
    let y = backend.matmul(x.value, transposeA: false, weight.value, transposeB: true,
                           adding: bias.map { backend.repeatRows($0.value, count: n) })
    let parents = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable.result(y, parents: parents) { dy in
        if x.requiresGrad { x.accumulate(backend.matmul(dy, transposeA: false, weight.value, transposeB: false, adding: nil)) }
        if weight.requiresGrad { weight.accumulate(backend.matmul(dy, transposeA: true, x.value, transposeB: false, adding: nil)) }
        if let bias, bias.requiresGrad { bias.accumulate(backend.sumRows(dy)) }
    }
}

/// A fully connected layer (PyTorch's nn.Linear), initialised as PyTorch does by default.
public final class Linear: Module {
    public let weight: Variable
    public let bias: Variable?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
        weight = Variable(Initializer.kaimingUniformDefault(shape: [outFeatures, inFeatures], fanIn: inFeatures, rng: &rng),
                          requiresGrad: true)
        self.bias = bias ? Variable(Initializer.biasUniform(count: outFeatures, fanIn: inFeatures, rng: &rng), requiresGrad: true) : nil
        self.bias?.isBiasOrNorm = true
    }

    public func callAsFunction(_ x: Variable) throws -> Variable { try linear(x, weight, bias) }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        [NamedVariable(name: qualified(prefix, "weight"), variable: weight, isBuffer: false)]
            + (bias.map { [NamedVariable(name: qualified(prefix, "bias"), variable: $0, isBuffer: false)] } ?? [])
    }
}
