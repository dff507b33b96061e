import Engine
import XCTest

/// A two-layer module with PyTorch names, as models are built from layers.
private final class TwoLayers: Module {
    let conv1: Conv2D
    let bn1: BatchNorm
    init(seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        conv1 = Conv2D(3, 4, kernel: 3, padding: 1, bias: false, rng: &rng)
        bn1 = BatchNorm(4)
    }
    func namedVariables(prefix: String) -> [NamedVariable] {
        conv1.namedVariables(prefix: qualified(prefix, "conv1")) + bn1.namedVariables(prefix: qualified(prefix, "bn1"))
    }
}

final class ModuleTests: XCTestCase {
    func testStateDictUsesPyTorchNamesAndRoundTripsThroughSafetensors() throws {
        let a = TwoLayers(seed: 1)
        XCTAssertEqual(a.stateDict().map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"])
        XCTAssertEqual(a.namedParameters().map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias"])
        let file = try SafeTensorsFile.decode(try SafeTensorsFile.encode(a.stateDict()), source: "state")
        let b = TwoLayers(seed: 2)
        XCTAssertNotEqual(b.conv1.weight.value.scalars, a.conv1.weight.value.scalars)
        try b.loadStateDict(file.tensors)
        XCTAssertEqual(b.conv1.weight.value.scalars, a.conv1.weight.value.scalars)
    }

    func testLoadingNamesEveryMissingOrMismatchedTensorAndChangesNothing() throws {
        let model = TwoLayers(seed: 1)
        let before = model.conv1.weight.value.scalars
        var tensors = Dictionary(uniqueKeysWithValues: TwoLayers(seed: 2).stateDict().map { ($0.name, $0.tensor) })
        tensors["bn1.running_var"] = nil
        tensors["bn1.bias"] = Tensor(zeros: [5])
        XCTAssertThrowsError(try model.loadStateDict(tensors)) { error in
            XCTAssertEqual("\(error)", "load state dict: bn1.bias: expected shape [4], file has [5]; missing tensor bn1.running_var")
        }
        XCTAssertEqual(model.conv1.weight.value.scalars, before)
    }

    func testInitialisationIsDeterministicForASeedAndWithinPyTorchsBounds() {
        let a = TwoLayers(seed: 42), b = TwoLayers(seed: 42), c = TwoLayers(seed: 43)
        XCTAssertEqual(a.conv1.weight.value.scalars, b.conv1.weight.value.scalars)
        XCTAssertNotEqual(a.conv1.weight.value.scalars, c.conv1.weight.value.scalars)
        let bound = 1 / Float(27).squareRoot()  // kaiming_uniform_(a=√5): 1/√fan_in, fan_in = 3·3·3
        XCTAssertTrue(a.conv1.weight.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(a.conv1.weight.value.scalars.map(abs).max()!, bound * 0.8)

        var rng = RandomGenerator(seed: 9)
        let normal = Initializer.kaimingNormal(shape: [64, 64, 3, 3], fan: 64 * 9, rng: &rng).scalars
        let variance = normal.map { $0 * $0 }.reduce(0, +) / Float(normal.count)
        XCTAssertEqual(variance, 2 / Float(64 * 9), accuracy: 2e-4)
    }
}
