@testable import Engine
import XCTest

/// The vectorised max pool of one plane gives, window by window, the value of the winner, and its
/// backward pass routes each window's gradient to that winner.
final class MaxPoolPlaneTests: XCTestCase {
    func testEveryWindowShapeGivesItsWinnersValue() throws {
        var rng = RandomGenerator(seed: 11)
        // ResNet's stem pool, even and odd sizes, stride 1, no padding, ceil mode, a window wider than it is tall.
        let cases: [(size: (Int, Int), kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceil: Bool)] = [
            ((12, 12), (3, 3), (2, 2), (1, 1), false), ((13, 11), (3, 3), (2, 2), (1, 1), false), ((7, 9), (3, 3), (1, 1), (1, 1), false),
            ((8, 8), (3, 3), (2, 2), (0, 0), true), ((9, 10), (2, 4), (2, 3), (1, 2), true), ((3, 3), (3, 3), (2, 2), (1, 1), false),
            // Wide enough for eight windows at a time in the backward pass, and a tail.
            ((9, 40), (3, 3), (2, 2), (1, 1), false), ((5, 30), (3, 3), (1, 1), (1, 1), false), ((6, 47), (2, 4), (2, 3), (1, 2), true),
        ]
        for c in cases {
            let g = try PoolGeometry(op: "max pool", input: [1, 1, c.size.0, c.size.1], kernel: c.kernel, stride: c.stride,
                                     padding: c.padding, ceilMode: c.ceil)
            var x = Initializer.normal(shape: [c.size.0 * c.size.1], std: 1, rng: &rng)
            let xp = x.mutablePointer()
            xp[4] = xp[3]  // a tie
            xp[c.size.1 + 1] = .nan
            xp[7] = .infinity; xp[8] = .infinity  // a tie of infinities
            var y = Tensor(zeros: [g.outH * g.outW])
            maxPoolPlane(x.pointer, y.mutablePointer(), g)
            let got = y.scalars
            let dy = Initializer.normal(shape: [g.outH * g.outW], std: 1, rng: &rng), dys = dy.scalars
            var dx = Tensor(zeros: [c.size.0 * c.size.1]), expectedDx = [Float](repeating: 0, count: x.count)
            maxPoolPlaneBackward(x.pointer, dy.pointer, dx.mutablePointer(), g)
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let winner = maxPoolWinner(x.pointer, oh, ow, g)
                    let expected = xp[winner], value = got[oh * g.outW + ow]
                    XCTAssertTrue(value == expected || (value.isNaN && expected.isNaN),
                                  "\(c) at (\(oh), \(ow)): \(value), winner \(expected)")
                    expectedDx[winner] += dys[oh * g.outW + ow]
                }
            }
            XCTAssertEqual(dx.scalars, expectedDx, "\(c) backward")
        }
    }

    /// The 2×2, stride-2 fast path, eight windows at a time and a scalar tail, takes the same winner as
    /// `maxPoolWinner` forward and backward: values drawn from five levels tie in most windows, and NaNs
    /// sit in the vector lanes and in the tail.
    func testTwoByTwoWindowsRouteTheGradientToTheWinner() throws {
        var rng = RandomGenerator(seed: 12)
        for (height, width) in [(4, 40), (5, 19), (6, 16), (3, 7)] {
            let g = try PoolGeometry(op: "max pool", input: [2, 1, height, width], kernel: (2, 2), stride: (2, 2),
                                     padding: (0, 0), ceilMode: false)
            XCTAssertTrue(g.isPlain2x2)
            var x = Initializer.normal(shape: g.inputShape, std: 1, rng: &rng)
            let xp = x.mutablePointer()
            for i in 0..<x.count { xp[i] = (xp[i] * 2).rounded() }
            xp[1] = .nan; xp[width + 2] = .nan; xp[width + 3] = .nan; xp[width - 3] = .nan
            let dy = Initializer.normal(shape: g.outputShape, std: 1, rng: &rng), dys = dy.scalars
            let y = CPUBackend.shared.maxPool2d(x, g).scalars
            let dx = CPUBackend.shared.maxPool2dBackward(dy, x: x, g).scalars
            var expectedDx = [Float](repeating: 0, count: x.count)
            let area = height * width, outArea = g.outH * g.outW
            for plane in 0..<g.planes {
                for oh in 0..<g.outH {
                    for ow in 0..<g.outW {
                        let winner = plane * area + maxPoolWinner(x.pointer + plane * area, oh, ow, g)
                        let out = plane * outArea + oh * g.outW + ow
                        XCTAssertTrue(y[out] == xp[winner] || (y[out].isNaN && xp[winner].isNaN),
                                      "\(height)×\(width) plane \(plane) at (\(oh), \(ow)): \(y[out]), winner \(xp[winner])")
                        expectedDx[winner] += dys[out]
                    }
                }
            }
            XCTAssertEqual(dx, expectedDx, "\(height)×\(width)")
        }
    }

    /// One image's planes on two threads (batch 1, 64 planes of 16×16): split between the threads, every plane
    /// still gets its own windows' winners, for the stem's 3×3 stride-2 window and the 2×2 one.
    func testOneImageOnTwoThreadsPoolsEveryPlane() throws {
        var rng = RandomGenerator(seed: 13)
        for (kernel, stride, padding) in [((3, 3), (2, 2), (1, 1)), ((2, 2), (2, 2), (0, 0))] {
            let g = try PoolGeometry(op: "max pool", input: [1, 64, 16, 16], kernel: kernel, stride: stride, padding: padding, ceilMode: false)
            let x = Initializer.normal(shape: g.inputShape, std: 1, rng: &rng)
            let y = HostResources(threads: 2).run { CPUBackend.shared.maxPool2d(x, g) }
            var expected = Tensor(zeros: g.outputShape)
            let ep = expected.mutablePointer(), inArea = g.height * g.width, outArea = g.outH * g.outW
            for plane in 0..<g.planes { maxPoolPlane(x.pointer + plane * inArea, ep + plane * outArea, g) }
            XCTAssertEqual(y.scalars, expected.scalars, "\(kernel) window, stride \(stride)")
        }
    }
}
