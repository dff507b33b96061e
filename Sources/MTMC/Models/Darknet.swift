import Engine

/// The original project's YOLOv2 (Darknet-19) style backbone, sized for small inputs:
/// conv3x3 32, pool, conv3x3 64, pool, [3x3 128, 1x1 64, 3x3 128], pool, [3x3 256, 1x1 128, 3x3 256],
/// pool, [3x3 512, 1x1 256, 3x3 512], global average pool; BN and leaky ReLU (0.1) after each conv.
public final class Darknet: Backbone {
    /// (in, out, kernel) per conv; a pool follows the convs whose index is in `poolsAfter`.
    public static let layout: [(Int, Int, Int)] = [(3, 32, 3), (32, 64, 3), (64, 128, 3), (128, 64, 1), (64, 128, 3),
                                            (128, 256, 3), (256, 128, 1), (128, 256, 3), (256, 512, 3), (512, 256, 1), (256, 512, 3)]
    public static let poolsAfter: Set<Int> = [0, 1, 4, 7]

    let convs: [ConvBN]
    public var featureCount: Int { 512 }

    public init(rng: inout RandomGenerator) {
        convs = Darknet.layout.map { ConvBN($0.0, $0.1, kernel: $0.2, rng: &rng) }
    }

    public func featureMap(_ x: Variable) throws -> Variable {
        var h = x
        for (index, conv) in convs.enumerated() {
            h = try conv(h, activation: .leakyReLU(slope: 0.1))
            if Darknet.poolsAfter.contains(index) { h = try maxPool2d(h, kernel: 2) }
        }
        return h
    }

    public func setTraining(_ training: Bool) { convs.forEach { $0.setTraining(training) } }
    public func use(_ context: EngineContext) { convs.forEach { $0.use(context) } }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        convs.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "features.\($0)")) }
    }
}
