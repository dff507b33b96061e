import Engine
@testable import MTMC
import XCTest

final class MixupTests: XCTestCase {
    /// Each image is λ·itself + (1 − λ)·its partner, and its target puts λ on its label and 1 − λ on the
    /// partner's (labels all differ, so the target row names the partner).
    func testEachImageAndTargetBlendWithOnePartnerByTheSameWeight() throws {
        let n = 5, size = 2 * 3 * 3
        var rng = RandomGenerator(seed: 3)
        let images = Initializer.normal(shape: [n, 2, 3, 3], std: 1, rng: &rng)
        let (mixed, targets) = try Mixup(alpha: 0.4).apply(images: images, labels: Array(0..<n), classes: n, rng: &rng)
        let x = images.scalars, m = mixed.scalars, t = targets.scalars
        var blended = 0
        for i in 0..<n {
            let row = Array(t[(i * n)..<((i + 1) * n)])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
            let lambda = row[i]
            let j = row.indices.first { $0 != i && row[$0] > 0 } ?? i
            if j != i { blended += 1 }
            for k in 0..<size {
                XCTAssertEqual(m[i * size + k], lambda * x[i * size + k] + (1 - lambda) * x[j * size + k], accuracy: 1e-5)
            }
        }
        XCTAssertGreaterThan(blended, 0, "a shuffle that kept every image in place would test nothing")
    }
}
