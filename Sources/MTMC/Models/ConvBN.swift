import Engine

/// Convolution (no bias) followed by batch norm, the unit every backbone is built of.
/// Names as torchvision would give them to a pair: `<conv>.weight`, `<bn>.weight`, `<bn>.running_mean` …
public final class ConvBN: Module {
    public let conv: Conv2D
    public let bn: BatchNorm
    /// The two folded into one convolution for evaluation, per set of running statistics (per task).
    let fold = ConvBatchNormFold()
    let convName: String
    let bnName: String

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil,
                convName: String = "conv", bnName: String = "bn", rng: inout RandomGenerator) {
        conv = Conv2D(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding ?? kernel / 2, bias: false, rng: &rng)
        // Kaiming normal (fan_out, ReLU gain), as torchvision initialises ResNet convolutions.
        conv.weight.value = Initializer.kaimingNormal(shape: conv.weight.shape, fan: outChannels * kernel * kernel, rng: &rng)
        bn = BatchNorm(outChannels)
        self.convName = convName
        self.bnName = bnName
    }

    public func callAsFunction(_ x: Variable) throws -> Variable { try callAsFunction(x, activation: .identity) }

    /// Convolution, batch norm and ReLU: in training the last two in one pass, in evaluation all three.
    public func withReLU(_ x: Variable) throws -> Variable { try callAsFunction(x, activation: .relu) }

    /// activation(bn(conv(x)) + residual): in training batch norm, the sum and the activation in one pass,
    /// in evaluation one folded convolution.
    public func callAsFunction(_ x: Variable, activation: Activation, adding residual: Variable? = nil) throws -> Variable {
        try fold(x, conv: conv, bn: bn, activation: activation, adding: residual)
    }

    /// In training the weights change at every step, so folded copies would only hold memory.
    public func setTraining(_ training: Bool) {
        bn.setTraining(training)
        if training { fold.removeAll() }
    }

    public func use(_ context: EngineContext) {
        conv.use(context)
        bn.use(context)
    }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        conv.namedVariables(prefix: qualified(prefix, convName)) + bn.namedVariables(prefix: qualified(prefix, bnName))
    }
}
