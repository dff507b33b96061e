import Engine

/// conv3x3(3→32)+BN+ReLU, maxpool 2, conv3x3(32→64)+BN+ReLU, maxpool 2, conv3x3(64→128)+BN+ReLU,
/// maxpool 2, conv3x3(128→256)+BN+ReLU, global average pool: 256 features, any input ≥ 8×8.
public final class TinyBackbone: Backbone {
    public let blocks: [ConvBN]
    public var featureCount: Int { 256 }

    public init(rng: inout RandomGenerator) {
        let widths = [3, 32, 64, 128, 256]
        blocks = (0..<4).map { ConvBN(widths[$0], widths[$0 + 1], kernel: 3, rng: &rng) }
    }

    public func featureMap(_ x: Variable) throws -> Variable {
        var h = x
        for (index, block) in blocks.enumerated() {
            h = try block.withReLU(h)
            if index < 3 { h = try maxPool2d(h, kernel: 2) }
        }
        return h
    }

    public func setTraining(_ training: Bool) { blocks.forEach { $0.setTraining(training) } }
    public func use(_ context: EngineContext) { blocks.forEach { $0.use(context) } }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        blocks.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "blocks.\($0)")) }
    }
}
