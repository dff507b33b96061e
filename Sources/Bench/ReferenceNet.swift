import Engine

/// conv3x3 + BatchNorm2d + ReLU, the unit of the reference net.
final class ConvBNReLU: Module {
    let conv: Conv2D
    let bn: BatchNorm

    init(_ inChannels: Int, _ outChannels: Int, rng: inout RandomGenerator) {
        conv = Conv2D(inChannels, outChannels, kernel: 3, padding: 1, bias: false, rng: &rng)
        bn = BatchNorm(outChannels)
    }

    func callAsFunction(_ x: Variable) throws -> Variable { relu(try bn(try conv(x))) }
    func setTraining(_ training: Bool) { bn.setTraining(training) }
    func namedVariables(prefix: String) -> [NamedVariable] {
        conv.namedVariables(prefix: qualified(prefix, "conv")) + bn.namedVariables(prefix: qualified(prefix, "bn"))
    }
}

/// Linear(F, F) + BatchNorm1d + ReLU + Linear(F, classes): the MTMC head.
final class Head: Module {
    let embed: Linear
    let bn: BatchNorm
    let classifier: Linear

    init(features: Int, classes: Int, rng: inout RandomGenerator) {
        embed = Linear(features, features, rng: &rng)
        bn = BatchNorm(features)
        classifier = Linear(features, classes, rng: &rng)
    }

    func callAsFunction(_ x: Variable) throws -> Variable { try classifier(relu(try bn(try embed(x)))) }
    func setTraining(_ training: Bool) { bn.setTraining(training) }
    func namedVariables(prefix: String) -> [NamedVariable] {
        embed.namedVariables(prefix: qualified(prefix, "embed")) + bn.namedVariables(prefix: qualified(prefix, "bn"))
            + classifier.namedVariables(prefix: qualified(prefix, "classifier"))
    }
}

/// The engine issue's reference "tiny" net: four conv blocks (32, 64, 128, 256 channels) with
/// max pools between them, global average pooling, and one head per task.
final class ReferenceNet: Module {
    let blocks: [ConvBNReLU]
    let heads: [Head]

    init(classesPerTask: [Int], seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        let widths = [3, 32, 64, 128, 256]
        blocks = (0..<4).map { ConvBNReLU(widths[$0], widths[$0 + 1], rng: &rng) }
        heads = classesPerTask.map { Head(features: 256, classes: $0, rng: &rng) }
    }

    func callAsFunction(_ x: Variable, task: Int) throws -> Variable {
        var h = x
        for (index, block) in blocks.enumerated() {
            h = try block(h)
            if index < 3 { h = try maxPool2d(h, kernel: 2) }
        }
        return try heads[task](try globalAvgPool(h))
    }

    func setTraining(_ training: Bool) {
        blocks.forEach { $0.setTraining(training) }
        heads.forEach { $0.setTraining(training) }
    }

    func namedVariables(prefix: String) -> [NamedVariable] {
        blocks.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "blocks.\($0)")) }
            + heads.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "heads.\($0)")) }
    }

    /// Multiply-adds ×2 of the convolutions and linears for one image of size h×w, forward only.
    static func forwardFLOPs(height: Int, width: Int) -> Double {
        let widths = [3, 32, 64, 128, 256]
        var flops = 0.0, area = Double(height * width)
        for i in 0..<4 {
            flops += 2 * Double(widths[i] * 9 * widths[i + 1]) * area
            if i < 3 { area /= 4 }
        }
        return flops + 2 * 256 * 256 + 2 * 256 * 10
    }
}
