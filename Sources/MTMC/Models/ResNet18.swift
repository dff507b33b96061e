import Engine

/// torchvision's BasicBlock: conv3x3-BN-ReLU-conv3x3-BN plus the shortcut, then ReLU.
final class BasicBlock: Module {
    let first: ConvBN
    let second: ConvBN
    /// Projection shortcut when the shape changes: conv1x1 stride s + BN, or with ResNet-D
    /// avgpool 2 (stride s) + conv1x1 + BN, which keeps the information stride-2 1×1 convs drop.
    let downsample: ConvBN?
    let averageFirst: Bool

    init(_ inChannels: Int, _ outChannels: Int, stride: Int, resnetD: Bool, zeroGamma: Bool, rng: inout RandomGenerator) {
        first = ConvBN(inChannels, outChannels, kernel: 3, stride: stride, convName: "conv1", bnName: "bn1", rng: &rng)
        second = ConvBN(outChannels, outChannels, kernel: 3, convName: "conv2", bnName: "bn2", rng: &rng)
        if zeroGamma { second.bn.weight.value = Tensor(zeros: [outChannels]) }
        averageFirst = resnetD && stride > 1
        if stride != 1 || inChannels != outChannels {
            downsample = ConvBN(inChannels, outChannels, kernel: 1, stride: averageFirst ? 1 : stride, padding: 0,
                                convName: averageFirst ? "downsample.1" : "downsample.0",
                                bnName: averageFirst ? "downsample.2" : "downsample.1", rng: &rng)
        } else {
            downsample = nil
        }
    }

    func callAsFunction(_ x: Variable) throws -> Variable {
        var shortcut = x
        if let downsample {
            if averageFirst { shortcut = try avgPool2d(shortcut, kernel: 2, stride: 2, ceilMode: true, countIncludePad: false) }
            shortcut = try downsample(shortcut)
        }
        let middle = try first.withReLU(x)
        // The second batch norm, the sum and the ReLU in one pass: one activation kept instead of three.
        let output = try second(middle, activation: .relu, adding: shortcut)
        // Only backward steps read these again: the second convolution's recomputes its input from the first
        // convolution's output and the saved statistics; the projection's output is not read at all.
        middle.releaseValue()
        if downsample != nil { shortcut.releaseValue() }
        return output
    }

    func setTraining(_ training: Bool) {
        first.setTraining(training); second.setTraining(training); downsample?.setTraining(training)
    }

    func use(_ context: EngineContext) {
        first.use(context); second.use(context); downsample?.use(context)
    }

    func namedVariables(prefix: String) -> [NamedVariable] {
        first.namedVariables(prefix: prefix) + second.namedVariables(prefix: prefix) + (downsample?.namedVariables(prefix: prefix) ?? [])
    }
}

/// ResNet-18 with torchvision's layout and parameter names (conv1, bn1, layer1.0.conv1 …, no fc),
/// for any input of at least 32×32 (global average pooling).
public final class ResNet18: Backbone {
    let stem: ConvBN
    let layers: [[BasicBlock]]
    public var featureCount: Int { 512 }

    public init(zeroGamma: Bool = false, resnetD: Bool = false, rng: inout RandomGenerator) {
        stem = ConvBN(3, 64, kernel: 7, stride: 2, padding: 3, convName: "conv1", bnName: "bn1", rng: &rng)
        var layers: [[BasicBlock]] = []
        var channels = 64
        for (index, width) in [64, 128, 256, 512].enumerated() {
            let stride = index == 0 ? 1 : 2
            layers.append([BasicBlock(channels, width, stride: stride, resnetD: resnetD, zeroGamma: zeroGamma, rng: &rng),
                           BasicBlock(width, width, stride: 1, resnetD: resnetD, zeroGamma: zeroGamma, rng: &rng)])
            channels = width
        }
        self.layers = layers
    }

    public func featureMap(_ x: Variable) throws -> Variable {
        guard x.shape.count == 4, x.shape[2] >= 32, x.shape[3] >= 32 else {
            throw EngineError("resnet18: input must be at least 32×32, got \(describe(x.shape))")
        }
        let stemOutput = try stem.withReLU(x)
        var h = try maxPool2d(stemOutput, kernel: 3, stride: 2, padding: 1)
        // The largest activation; the max pool's backward step recomputes it from the stem convolution's output.
        stemOutput.releaseValue()
        for layer in layers { for block in layer { h = try block(h) } }
        return h
    }

    public func setTraining(_ training: Bool) {
        stem.setTraining(training)
        layers.joined().forEach { $0.setTraining(training) }
    }

    public func use(_ context: EngineContext) {
        stem.use(context)
        layers.joined().forEach { $0.use(context) }
    }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        stem.namedVariables(prefix: prefix) + layers.enumerated().flatMap { index, layer in
            layer.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "layer\(index + 1).\($0)")) }
        }
    }
}
