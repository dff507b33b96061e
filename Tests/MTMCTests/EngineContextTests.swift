@testable import Engine
import MTMC
import XCTest

/// A model hands its engine context to every layer that uses it: each convolution computes with the
/// context's policy and each batch norm (backbone and heads) synchronises over the context's world.
final class EngineContextTests: XCTestCase {
    private let architectures: [Architecture] = [.tiny, .resnet18(zeroGamma: false, resnetD: true)]

    func testEveryLayerOfEveryArchitectureRunsInTheModelsContext() {
        let pair = World(rank: 0, size: 2, hosts: ["a", "b"], library: "")
        for architecture in architectures {
            let model = MultiTaskModel(architecture: architecture, classesPerTask: [3, 2], seed: 1)
            model.use(EngineContext(convolution: .f2, world: pair, synchronizesBatchNorm: true))
            let (convs, norms) = layers(of: model)
            XCTAssertGreaterThan(convs.count, 3, "\(architecture)")
            XCTAssertGreaterThan(norms.count, 3, "\(architecture)")
            XCTAssertEqual(convs.filter { $0.convolution == .f2 }.count, convs.count, "\(architecture) convolutions")
            XCTAssertEqual(norms.filter { $0.synchronizedAcross?.size == 2 }.count, norms.count, "\(architecture) batch norms")

            model.use(EngineContext(convolution: .off, world: pair, synchronizesBatchNorm: false))
            XCTAssertEqual(convs.filter { $0.convolution == .off }.count, convs.count, "\(architecture) convolutions")
            XCTAssertTrue(norms.allSatisfy { $0.synchronizedAcross == nil }, "\(architecture) batch norms")
        }
    }

    /// A world of one rank has no one to synchronise with, whatever the setting.
    func testAWorldOfOneSynchronisesNothing() {
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 1)
        model.use(EngineContext(world: .alone, synchronizesBatchNorm: true))
        XCTAssertTrue(layers(of: model).norms.allSatisfy { $0.synchronizedAcross == nil })
    }

    func testTheEnvironmentChoosesTheConvolutionPolicy() {
        XCTAssertEqual(EngineContext.fromEnvironment(["MTMC_WINOGRAD": "off"]).convolution, .off)
        XCTAssertEqual(EngineContext.fromEnvironment(["MTMC_WINOGRAD": "f4"]).convolution, .f4)
        XCTAssertEqual(EngineContext.fromEnvironment([:]).convolution, .auto)
    }

    /// Every convolution and batch norm reachable from `model`, found through its stored properties.
    private func layers(of model: MultiTaskModel) -> (convs: [Conv2D], norms: [BatchNorm]) {
        var convs: [Conv2D] = [], norms: [BatchNorm] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ value: Any) {
            if value is Variable || value is Tensor { return }
            if let object = value as? AnyObject, type(of: value) is AnyClass {
                guard seen.insert(ObjectIdentifier(object)).inserted else { return }
            }
            if let conv = value as? Conv2D { convs.append(conv) }
            if let norm = value as? BatchNorm { norms.append(norm) }
            Mirror(reflecting: value).children.forEach { visit($0.value) }
        }
        visit(model)
        return (convs, norms)
    }
}
