import Engine
import MTMC

/// Multiply-adds ×2 of one image's forward pass through a backbone's convolutions and one head's
/// linears, from the layer shapes of Sources/MTMC/Models (BN, pooling and activations not counted).
enum ForwardFLOPs {
    /// A square convolution's FLOPs and its output side.
    private static func conv(_ cin: Int, _ cout: Int, _ k: Int, stride: Int = 1, padding: Int? = nil, side: Int) -> (Double, Int) {
        let out = (side + 2 * (padding ?? k / 2) - k) / stride + 1
        return (2 * Double(cin * k * k * cout * out * out), out)
    }

    static func count(_ architecture: Architecture, size: Int, classes: Int) throws -> Double {
        var total = 0.0, side = size, features = 0
        func add(_ layer: (Double, Int)) { total += layer.0; side = layer.1 }
        switch architecture {
        case .tiny:
            for (i, (cin, cout)) in [(3, 32), (32, 64), (64, 128), (128, 256)].enumerated() {
                add(conv(cin, cout, 3, side: side))
                if i < 3 { side /= 2 }
            }
            features = 256
        case .darknet:
            for (i, (cin, cout, k)) in Darknet.layout.enumerated() {
                add(conv(cin, cout, k, side: side))
                if Darknet.poolsAfter.contains(i) { side /= 2 }
            }
            features = 512
        case .resnet18:
            add(conv(3, 64, 7, stride: 2, padding: 3, side: side))
            side = (side + 2 - 3) / 2 + 1
            var channels = 64
            for (index, width) in [64, 128, 256, 512].enumerated() {
                let stride = index == 0 ? 1 : 2
                let input = side
                add(conv(channels, width, 3, stride: stride, side: input))
                add(conv(width, width, 3, side: side))
                if stride != 1 || channels != width { total += conv(channels, width, 1, stride: stride, padding: 0, side: input).0 }
                add(conv(width, width, 3, side: side))
                add(conv(width, width, 3, side: side))
                channels = width
            }
            features = 512
        }
        return total + 2 * Double(features * features + features * classes)
    }
}
