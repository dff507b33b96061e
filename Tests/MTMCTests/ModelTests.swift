import Engine
import Foundation
import MTMC
import XCTest

final class ModelTests: XCTestCase {
    /// The weight formula of tools/fixtures/make_model_fixtures.py: SplitMix64 of FNV-1a(name) + (i + 1)·golden.
    static func formula(_ name: String, _ shape: [Int]) -> Tensor {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        let fanIn = shape.count > 1 ? n / shape[0] : 1
        for i in 0..<n {
            var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Double(z >> 40) / Double(1 << 24)
            if name.hasSuffix("running_var") || (name.hasSuffix(".weight") && shape.count == 1) {
                values[i] = Float(0.5 + u)
            } else if shape.count == 1 {
                values[i] = Float((u - 0.5) * 0.2)
            } else {
                values[i] = Float((u - 0.5) * 2 * (6.0 / Double(fanIn)).squareRoot())
            }
        }
        return try! Tensor(shape: shape, values: values)
    }

    private func torchvisionFile(dropping: String? = nil, reshaping: String? = nil) throws -> SafeTensorsFile {
        let reference = ResNet18(rng: &Self.rng)
        var tensors = reference.namedVariables(prefix: "").filter { $0.name != dropping }.map { entry -> (name: String, tensor: Tensor) in
            let shape = entry.name == reshaping ? [1] : entry.variable.shape
            return (entry.name, Self.formula(entry.name, shape))
        }
        tensors += [("fc.weight", Tensor(zeros: [1000, 512])), ("fc.bias", Tensor(zeros: [1000])), ("bn1.num_batches_tracked", Tensor(zeros: []))]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resnet18-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensorsFile.write(tensors, to: path)
        return try SafeTensorsFile.read(from: path)
    }
    static var rng = RandomGenerator(seed: 0)

    func testImportedTorchvisionResNet18GivesPyTorchsFeatures() throws {
        let fixture = try SafeTensorsFile.read(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/resnet18_features.safetensors").path)
        let model = MultiTaskModel(architecture: .resnet18(zeroGamma: false, resnetD: false), classesPerTask: [3, 2], seed: 1)
        XCTAssertEqual(try importTorchvisionResNet18(try torchvisionFile(), into: model), 100)  // the file also holds fc.*
        model.setTraining(false)
        for task in 0..<2 {
            model.selectStatistics(task)
            let features = try GradMode.withoutGradients { try model.backbone(Variable(fixture.tensors["input"]!)) }
            let expected = fixture.tensors["features"]!
            XCTAssertEqual(features.shape, [2, 512])
            for (a, e) in zip(features.value.scalars, expected.scalars) {
                XCTAssertLessThanOrEqual(abs(a - e), 1e-5 + 1e-4 * abs(e), "task \(task)")
            }
        }
    }

    func testImportNamesMissingAndMismatchedTensorsAndChangesNothing() throws {
        let model = MultiTaskModel(architecture: .resnet18(zeroGamma: false, resnetD: false), classesPerTask: [3], seed: 1)
        let before = model.backbone.namedVariables(prefix: "")[0].variable.value.scalars
        XCTAssertThrowsError(try importTorchvisionResNet18(try torchvisionFile(dropping: "layer3.1.bn2.running_var", reshaping: "conv1.weight"), into: model)) { error in
            XCTAssertEqual("\(error)", "import: 2 tensors do not fit: conv1.weight: mtmc expects [64, 3, 7, 7], file has [1]; missing layer3.1.bn2.running_var")
        }
        XCTAssertEqual(model.backbone.namedVariables(prefix: "")[0].variable.value.scalars, before)
        let tiny = MultiTaskModel(architecture: .tiny, classesPerTask: [3], seed: 1)
        XCTAssertThrowsError(try importTorchvisionResNet18(try torchvisionFile(), into: tiny)) { error in
            XCTAssertEqual("\(error)", "import: torchvision ResNet-18 weights need model resnet18, this model is tiny")
        }
    }

    func testStateDictNamesFollowPyTorch() {
        let model = MultiTaskModel(architecture: .resnet18(zeroGamma: false, resnetD: false), classesPerTask: [3, 2], seed: 1)
        let names = model.stateDict().map(\.name)
        XCTAssertEqual(names.first, "backbone.conv1.weight")
        XCTAssertTrue(names.contains("backbone.layer2.0.downsample.0.weight"))
        XCTAssertTrue(names.contains("backbone.layer4.1.bn2.running_var"))
        XCTAssertEqual(Array(names.suffix(8)), ["heads.1.embed.weight", "heads.1.embed.bias", "heads.1.bn.weight", "heads.1.bn.bias",
                                                "heads.1.bn.running_mean", "heads.1.bn.running_var",
                                                "heads.1.classifier.weight", "heads.1.classifier.bias"])
        XCTAssertEqual(names.last, "heads.1.classifier.bias")
        let resnetD = MultiTaskModel(architecture: .resnet18(zeroGamma: true, resnetD: true), classesPerTask: [3], seed: 1)
        let dNames = resnetD.stateDict().map(\.name)
        XCTAssertTrue(dNames.contains("backbone.layer2.0.downsample.1.weight"))
        XCTAssertTrue(dNames.contains("backbone.layer2.0.downsample.2.running_mean"))
        let gamma = resnetD.stateDict().first { $0.name == "backbone.layer1.0.bn2.weight" }!.tensor
        XCTAssertEqual(Set(gamma.scalars), [0])  // zero-γ: last BN of each block starts at 0
    }

    func testHeadsAreInitialisedAsTheOriginal() {
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [4], seed: 2)
        let head = model.heads[0]
        XCTAssertEqual(Set(head.classifier.bias!.value.scalars), [0])
        XCTAssertEqual(Set(head.embed.bias!.value.scalars), [0])
        let w = head.classifier.weight.value.scalars
        let std = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, 0.001, accuracy: 0.0002)
    }

    func testEveryBackboneRunsOnNonSquareInputs() throws {
        for architecture in [Architecture.tiny, .darknet, .resnet18(zeroGamma: false, resnetD: true)] {
            let model = MultiTaskModel(architecture: architecture, classesPerTask: [3, 5], seed: 3)
            let x = Variable(Tensor(shape: [2, 3, 45, 37], repeating: 0.5))
            XCTAssertEqual(try model(x, task: 1).shape, [2, 5], "\(architecture)")
        }
        let small = MultiTaskModel(architecture: .resnet18(zeroGamma: false, resnetD: false), classesPerTask: [2], seed: 3)
        XCTAssertThrowsError(try small(Variable(Tensor(zeros: [1, 3, 16, 16])), task: 0)) { error in
            XCTAssertEqual("\(error)", "resnet18: input must be at least 32×32, got [1, 3, 16, 16]")
        }
    }

    func testEachTaskKeepsItsOwnBatchNormStatistics() throws {
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 2], seed: 4)
        model.setTraining(true)
        _ = try model(Variable(Tensor(shape: [4, 3, 16, 16], repeating: 3)), task: 0)
        let mean = { model.stateDict().first { $0.name == "backbone.blocks.0.bn.running_mean" }!.tensor.scalars }
        let afterTask0 = mean()
        _ = try model(Variable(Tensor(shape: [4, 3, 16, 16], repeating: -3)), task: 1)
        XCTAssertNotEqual(mean(), afterTask0)
        model.selectStatistics(0)
        XCTAssertEqual(mean(), afterTask0)
        model.sharedStatistics = true
        let beforeBatch = mean()
        _ = try model(Variable(Tensor(shape: [4, 3, 16, 16], repeating: -3)), task: 1)
        let blended = mean()
        XCTAssertNotEqual(blended, beforeBatch, "a task 1 batch moves the one shared set")
        // Per task, selecting task 0 would bring back task 0's own statistics; shared, it is the same blend.
        model.selectStatistics(0)
        XCTAssertEqual(mean(), blended, "shared statistics: every task uses the one blended set")
        _ = try model(Variable(Tensor(shape: [4, 3, 16, 16], repeating: 3)), task: 0)
        model.selectStatistics(1)
        XCTAssertNotEqual(mean(), blended, "task 0's batch moved the set task 1 uses too")
    }
}
