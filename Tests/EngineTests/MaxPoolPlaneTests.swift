@testable import Engine
import XCTest

/// The vectorised max pool of one plane gives, window by window, the value of the winner the backward
/// pass routes the gradient to.
final class MaxPoolPlaneTests: XCTestCase {
    func testEveryWindowShapeGivesItsWinnersValue() throws {
        var rng = RandomGenerator(seed: 11)
        // ResNet's stem pool, even and odd sizes, stride 1, no padding, ceil mode, a window wider than it is tall.
        let cases: [(size: (Int, Int), kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceil: Bool)] = [
            ((12, 12), (3, 3), (2, 2), (1, 1), false), ((13, 11), (3, 3), (2, 2), (1, 1), false), ((7, 9), (3, 3), (1, 1), (1, 1), false),
            ((8, 8), (3, 3), (2, 2), (0, 0), true), ((9, 10), (2, 4), (2, 3), (1, 2), true), ((3, 3), (3, 3), (2, 2), (1, 1), false),
        ]
        for c in cases {
            let g = try PoolGeometry(op: "max pool", input: [1, 1, c.size.0, c.size.1], kernel: c.kernel, stride: c.stride,
                                     padding: c.padding, ceilMode: c.ceil)
            var x = Initializer.normal(shape: [c.size.0 * c.size.1], std: 1, rng: &rng)
            let xp = x.mutablePointer()
            xp[4] = xp[3]  // a tie
            xp[c.size.1 + 1] = .nan
            var y = Tensor(zeros: [g.outH * g.outW])
            maxPoolPlane(x.pointer, y.mutablePointer(), g)
            let got = y.scalars
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let expected = xp[maxPoolWinner(x.pointer, oh, ow, g)], value = got[oh * g.outW + ow]
                    XCTAssertTrue(value == expected || (value.isNaN && expected.isNaN),
                                  "\(c) at (\(oh), \(ow)): \(value), winner \(expected)")
                }
            }
        }
    }
}
