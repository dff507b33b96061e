import Engine
import Foundation
import MTMC
import XCTest

/// Grad-CAM of the tiny net against PyTorch (tools/fixtures/make_gradcam_fixture.py): same weights and
/// running statistics, one 32×32 image, the 4×4 maps of the predicted class and of class 2.
final class GradCAMTests: XCTestCase {
    func testMapsMatchPyTorchForThePredictedClassAndAChosenOne() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gradcam.safetensors").path
        let file = try SafeTensorsFile.read(from: path)
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [5], seed: 1)
        let names = Set(model.stateDict().map(\.name))
        try model.loadStateDict(file.tensors.filter { names.contains($0.key) })
        model.copyStatisticsToAllTasks()
        let image = try XCTUnwrap(file.tensors["input"])

        let predicted = try gradCAM(model, image: image, task: 0)
        XCTAssertEqual(predicted.classIndex, Int(file.metadata["predicted"] ?? ""))
        XCTAssertEqual([predicted.width, predicted.height], [4, 4])
        assertClose(predicted.values, try XCTUnwrap(file.tensors["cam.predicted"]).scalars, "predicted class map")
        assertClose(predicted.logits, try XCTUnwrap(file.tensors["logits"]).scalars, "logits")
        XCTAssertTrue(predicted.values.contains { $0 > 0 }, "a map of zeros would test nothing")

        let chosen = try gradCAM(model, image: image, task: 0, classIndex: 2)
        assertClose(chosen.values, try XCTUnwrap(file.tensors["cam.class2"]).scalars, "class 2 map")
        XCTAssertTrue(model.namedParameters().allSatisfy { $0.variable.grad == nil }, "no gradient left for an optimizer")
    }

    private func assertClose(_ actual: [Float], _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        let scale = expected.map(abs).max() ?? 1
        for (i, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > 1e-4 * max(abs(e), scale * 1e-2) {
            return XCTFail("\(what): element \(i) is \(a), expected \(e)", file: file, line: line)
        }
    }
}
