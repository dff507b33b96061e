import Engine
import Foundation
import MTMC
import XCTest

final class CutMixTests: XCTestCase {
    /// Image i is filled with the value i + 1 in every channel, so each pixel says which image it came from.
    private func batch(_ n: Int, side: Int = 10) throws -> Tensor {
        try Tensor(shape: [n, 3, side, side], values: (0..<n).flatMap { [Float](repeating: Float($0 + 1), count: 3 * side * side) })
    }

    func testTheLabelWeightsAreExactlyThePastedAreas() throws {
        let n = 6, side = 10, labels = [0, 1, 2, 3, 4, 0]
        for seed in 1...20 {
            var rng = RandomGenerator(seed: UInt64(seed))
            let (mixed, targets) = try CutMix(alpha: 1).apply(images: try batch(n), labels: labels, classes: 5, rng: &rng)
            let pixels = mixed.scalars, t = targets.scalars
            for i in 0..<n {
                let own = pixels[(i * 3 * side * side)..<((i * 3 + 1) * side * side)]
                let foreign = own.filter { $0 != Float(i + 1) }
                let share = Float(foreign.count) / Float(side * side)
                XCTAssertEqual(Set(foreign).count <= 1, true, "one partner per image")
                let row = Array(t[(i * 5)..<(i * 5 + 5)])
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
                if let source = foreign.first.map({ Int($0) - 1 }), labels[source] != labels[i] {
                    XCTAssertEqual(row[labels[i]], 1 - share, accuracy: 1e-6, "seed \(seed), image \(i)")
                    XCTAssertEqual(row[labels[source]], share, accuracy: 1e-6, "seed \(seed), image \(i)")
                } else if foreign.isEmpty {
                    XCTAssertEqual(row[labels[i]], 1, accuracy: 1e-6, "nothing pasted, or pasted from itself")
                }
            }
        }
    }

    func testTheSameSeedGivesTheSameBatchAndAnotherSeedAnother() throws {
        func run(_ seed: UInt64) throws -> [Float] {
            var rng = RandomGenerator(seed: seed)
            let (m, t) = try CutMix(alpha: 1).apply(images: try batch(4), labels: [0, 1, 2, 3], classes: 4, rng: &rng)
            return m.scalars + t.scalars
        }
        XCTAssertEqual(try run(3), try run(3))
        XCTAssertNotEqual(try run(3), try run(4))
    }

    func testTheBoxIsClippedAtTheBordersAndSizedByLambda() {
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<200 {
            let b = CutMix.box(lambda: 0.75, width: 20, height: 10, rng: &rng)
            XCTAssertTrue(0 <= b.x0 && b.x0 <= b.x1 && b.x1 <= 20 && 0 <= b.y0 && b.y0 <= b.y1 && b.y1 <= 10, "\(b)")
            XCTAssertLessThanOrEqual(b.x1 - b.x0, 10, "side √(1 − 0.75) = ½ of 20")
            XCTAssertLessThanOrEqual(b.y1 - b.y0, 5)
        }
        XCTAssertEqual({ var r = RandomGenerator(seed: 1); let b = CutMix.box(lambda: 1, width: 8, height: 8, rng: &r); return (b.x1 - b.x0) * (b.y1 - b.y0) }(), 0)
    }

    func testTrainingWithCutMixIsSeededAndLearns() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        try TrainingTests.onOneThread {
            func weights(_ cutmix: Float) throws -> [[Float]] {
                let trainer = TrainingTests.trainer { $0.cutMixAlpha = cutmix; $0.validateEvery = 0 }
                _ = try trainer.train(epochs: 1, on: dataset)
                return TrainingTests.fullModel(trainer)
            }
            XCTAssertEqual(try weights(1), try weights(1))
            XCTAssertNotEqual(try weights(1), try weights(0), "CutMix changes what is trained on")
        }
    }
}
