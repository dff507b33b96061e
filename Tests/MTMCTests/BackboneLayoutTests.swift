import Engine
import MTMC
import XCTest

/// Backbones read like PyTorch's: images [N, 3, H, W] in, a feature map [N, C, h, w] out, whatever layout the
/// backend computed it in, and each image's features the same alone as inside a batch.
final class BackboneLayoutTests: XCTestCase {
    func testEachBackboneGivesAPyTorchShapedFeatureMapAndEachImageTheSameFeaturesAloneAsInABatch() throws {
        let cases: [(Architecture, side: Int, grid: Int)] = [
            (.tiny, 16, 2), (.darknet, 16, 1), (.resnet18(zeroGamma: false, resnetD: true), 32, 1)]
        for (architecture, side, grid) in cases {
            var rng = RandomGenerator(seed: 4)
            let backbone = architecture.makeBackbone(rng: &rng)
            backbone.setTraining(false)
            let images = Initializer.normal(shape: [2, 3, side, side], std: 1, rng: &rng)
            let (map, batch) = try GradMode.withoutGradients {
                (try backbone.featureMap(Variable(images)).value, try backbone(Variable(images)).value)
            }
            XCTAssertEqual(map.shape, [2, backbone.featureCount, grid, grid], "\(architecture) feature map")
            XCTAssertEqual(batch.shape, [2, backbone.featureCount], "\(architecture) features")
            let perImage = images.count / 2, features = batch.scalars
            for n in 0..<2 {
                let image = try Tensor(shape: [1, 3, side, side], values: Array(images.scalars[n * perImage..<(n + 1) * perImage]))
                let alone = try GradMode.withoutGradients { try backbone(Variable(image)).value.scalars }
                let inBatch = features[n * backbone.featureCount..<(n + 1) * backbone.featureCount]
                let worst = zip(alone, inBatch).map { abs($0 - $1) - 1e-4 * max(1, abs($1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 0, "\(architecture) image \(n): alone and in the batch differ")
            }
        }
    }
}
