@testable import Commands
import Engine
import Foundation
import Vision
import MTMC
import XCTest

/// `import` end to end: torchvision ResNet-18 weights into the backbone; what described the
/// old weights is dropped, and a FIFO named as the file is refused without blocking.
final class ImportCommandTests: XCTestCase {
    func testImportLoadsTheBackboneAndDropsOldResults() throws {
        let h = Harness()
        // torchvision's names and shapes, as `torch.save(resnet18().state_dict())` converted to safetensors has them.
        var rng = RandomGenerator(seed: 5)
        let fixture = h.root + "/resnet18.safetensors"
        try SafeTensorsFile.write(ResNet18(rng: &rng).namedVariables(prefix: "").map { ($0.name, $0.variable.value) }
                                  + [("fc.weight", Tensor(zeros: [1000, 512])), ("fc.bias", Tensor(zeros: [1000]))], to: fixture)
        h.run("set size 32"); h.run("load data")
        XCTAssertEqual(h.run("model resnet18").0, .success)
        h.run("eval")
        XCTAssertFalse(h.session.evaluations.isEmpty)
        let (result, text) = h.run("import \(fixture)")
        XCTAssertEqual(result, .success, text)
        XCTAssertTrue(text.hasPrefix("imported "), text)
        XCTAssertTrue(text.hasSuffix(" backbone tensors from \(fixture) (fc.* ignored); heads keep their initialisation"), text)
        XCTAssertTrue(h.session.evaluations.isEmpty)
        XCTAssertEqual(mkfifo(h.root + "/fifo.safetensors", 0o600), 0)
        XCTAssertEqual(h.run("import fifo.safetensors").1, "error: import: cannot read \(h.root)/fifo.safetensors: not a regular file (a FIFO)")
    }
}
