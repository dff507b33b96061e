import Engine

/// One task's head (DESIGN.md §2): Linear(F, F) → BatchNorm1d → ReLU → Linear(F, classes), initialised as the
/// original: embedding weight Kaiming normal (fan_out), classifier weight N(0, 0.001²), biases 0.
public final class Head: Module {
    public let embed: Linear
    public let bn: BatchNorm
    public let classifier: Linear

    public init(features: Int, classes: Int, rng: inout RandomGenerator) {
        embed = Linear(features, features, rng: &rng)
        embed.weight.value = Initializer.kaimingNormal(shape: [features, features], fan: features, rng: &rng)
        embed.bias?.value = Tensor(zeros: [features])
        bn = BatchNorm(features)
        classifier = Linear(features, classes, rng: &rng)
        classifier.weight.value = Initializer.normal(shape: [classes, features], std: 0.001, rng: &rng)
        classifier.bias?.value = Tensor(zeros: [classes])
    }

    /// Features [N, F] → logits [N, classes].
    public func callAsFunction(_ x: Variable) throws -> Variable { try classifier(relu(try bn(try embed(x)))) }

    public func setTraining(_ training: Bool) { bn.setTraining(training) }
    public func use(_ context: EngineContext) { bn.use(context) }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        embed.namedVariables(prefix: qualified(prefix, "embed")) + bn.namedVariables(prefix: qualified(prefix, "bn"))
            + classifier.namedVariables(prefix: qualified(prefix, "classifier"))
    }
}
