import Engine

/// Convolution (no bias) followed by batch norm, the unit every backbone is built of.
/// Names as torchvision would give them to a pair: `<conv>.weight`, `<bn>.weight`, `<bn>.running_mean` …
public final class ConvBN: Module {
    public let conv: Conv2D
    public let bn: BatchNorm
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

    public func callAsFunction(_ x: Variable) throws -> Variable { try bn(try conv(x)) }

    public func setTraining(_ training: Bool) { bn.setTraining(training) }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        conv.namedVariables(prefix: qualified(prefix, convName)) + bn.namedVariables(prefix: qualified(prefix, bnName))
    }
}
