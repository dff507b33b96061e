import Engine
import MTMC
import Vision
import XCTest

final class BatchPipelineTests: XCTestCase {
    func testPipelineYieldsThePlannedBatchesInOrderWithNormalisedImages() throws {
        let tree = TreeBuilder().task("a", classes: ["x": 3, "y": 3]).task("b", classes: ["p": 4])
        let dataset = try Dataset.load(tree.root, cacheSize: (9, 9))
        var rng = RandomGenerator(seed: 1)
        let plan = planEpoch(dataset, quotas: [[3, 3], [4]], batchSize: 2, rng: &rng)
        let pipeline = BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (8, 8), augmentation: nil,
                                     normalization: .imageNet, seed: 1)
        var seen: [PlannedBatch] = []
        while let batch = pipeline.next() {
            XCTAssertEqual(batch.images.shape, [batch.samples.count, 3, 8, 8])
            XCTAssertEqual(batch.labels, batch.samples.map(\.label))
            seen.append(PlannedBatch(task: batch.task, samples: batch.samples))
        }
        XCTAssertEqual(seen, plan)
        XCTAssertNil(pipeline.next())
    }

    func testAugmentedBatchesAreReproducibleForASeed() throws {
        let tree = TreeBuilder().task("a", classes: ["x": 4])
        let dataset = try Dataset.load(tree.root, cacheSize: (9, 9))
        let plan = [PlannedBatch(task: 0, samples: dataset.tasks[0].train)]
        func images(_ seed: UInt64) -> [Float] {
            BatchPipeline(plan: plan, cache: dataset.cache, inputSize: (8, 8), augmentation: AugmentationSettings(),
                          normalization: .imageNet, seed: seed).next()!.images.scalars
        }
        XCTAssertEqual(images(7), images(7))
        XCTAssertNotEqual(images(7), images(8))
    }
}
