import Engine

/// A feature extractor: images [N, 3, H, W] → features [N, featureCount].
public protocol Backbone: Module {
    var featureCount: Int { get }
    /// The last activation before global pooling, [N, featureCount, h, w] in the layout the backend computed it in
    /// (Grad-CAM reads it).
    func featureMap(_ x: Variable) throws -> Variable
}

extension Backbone {
    /// Features [N, featureCount]: the feature map averaged over its positions.
    public func callAsFunction(_ x: Variable) throws -> Variable { try globalAvgPool(try featureMap(x)) }
}

/// The backbones mtmc builds, with their options.
public enum Architecture: Equatable, CustomStringConvertible {
    /// The engine benchmark's reference net: 4 conv blocks (32–256 channels), 256 features.
    case tiny
    /// torchvision's ResNet-18 layout and names, 512 features; Bag of Tricks options.
    case resnet18(zeroGamma: Bool, resnetD: Bool)
    /// The original project's YOLOv2-style backbone: 3×3/1×1 conv stacks and max pools, 512 features.
    case darknet

    public var name: String {
        switch self {
        case .tiny: "tiny"
        case .resnet18: "resnet18"
        case .darknet: "darknet"
        }
    }

    public var description: String {
        if case .resnet18(let zeroGamma, let resnetD) = self {
            return "resnet18" + (zeroGamma ? " zero-γ" : "") + (resnetD ? " ResNet-D" : "")
        }
        return name
    }

    /// Builds a freshly initialised backbone.
    public func makeBackbone(rng: inout RandomGenerator) -> Backbone {
        switch self {
        case .tiny: TinyBackbone(rng: &rng)
        case .resnet18(let zeroGamma, let resnetD): ResNet18(zeroGamma: zeroGamma, resnetD: resnetD, rng: &rng)
        case .darknet: Darknet(rng: &rng)
        }
    }
}
