import CBLAS
@testable import Engine
import XCTest

/// Small products cut into blocks of C, one single-threaded sgemm per block on the engine's threads.
final class SplitProductTests: XCTestCase {
    /// C = A·B (+ C when beta is 1) by the textbook loop, in Double.
    private func reference(_ p: Product) -> [Float] {
        var c = (0..<p.m * p.ldc).map { p.c[$0] }
        for i in 0..<p.m {
            for j in 0..<p.n {
                var sum = 0.0
                for l in 0..<p.k {
                    let a = p.transA ? p.a[l * p.lda + i] : p.a[i * p.lda + l]
                    let b = p.transB ? p.b[j * p.ldb + l] : p.b[l * p.ldb + j]
                    sum += Double(a) * Double(b)
                }
                c[i * p.ldc + j] = Float(Double(p.alpha) * sum + Double(p.beta) * Double(c[i * p.ldc + j]))
            }
        }
        return c
    }

    func testEveryCutOfEveryLayoutGivesTheWholeProduct() {
        let resources = HostResources(threads: 2)
        var rng = RandomGenerator(seed: 3)
        // Wide (cut along N), tall (cut along M), both transposes, C a block of a wider matrix, beta 0 and 1.
        for (m, n, k) in [(5, 70, 9), (70, 5, 9), (33, 33, 17)] {
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                for (beta, extra) in [(Float(0), 0), (1, 3)] {
                    let a = Initializer.normal(shape: [m * k], std: 1, rng: &rng), b = Initializer.normal(shape: [k * n], std: 1, rng: &rng)
                    var c = Initializer.normal(shape: [m * (n + extra)], std: 1, rng: &rng)
                    let p = Product(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer, lda: transA ? m : k,
                                    b: b.pointer, ldb: transB ? k : n, beta: beta, c: c.mutablePointer(), ldc: n + extra)
                    let expected = reference(p)
                    for parts in [2, 3] {
                        let before = c.scalars
                        XCTAssertTrue(p.split(parts: parts, on: resources.workers))
                        let got = c.scalars
                        for i in got.indices {
                            XCTAssertEqual(got[i], expected[i], accuracy: 1e-4, "\(m)×\(n)×\(k) \(transA) \(transB) beta \(beta) parts \(parts) at \(i)")
                        }
                        p.c.update(from: before, count: before.count)  // the next cut starts from the same C
                    }
                }
            }
        }
    }

    func testProductsOfAMillionMultiplyAddsOrMoreAreWorthCutting() {
        let x = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        defer { x.deallocate() }
        func product(_ m: Int, _ n: Int, _ k: Int) -> Product {
            Product(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: x, ldb: n, beta: 0, c: x, ldc: n)
        }
        XCTAssertTrue(product(32, 4096, 27).isWorthSplitting)  // tiny's first convolution, one image
        XCTAssertTrue(product(64, 12544, 147).isWorthSplitting)  // ResNet-18's stem at 224×224, one image
        XCTAssertFalse(product(1, 256, 256).isWorthSplitting)  // a head's embedding, one image
        XCTAssertTrue(product(256, 3640, 1152).isWorthSplitting)  // tiny's last convolution, a chunk of 64 images
        XCTAssertFalse(product(64, 64, 255).isWorthSplitting)  // just under 2^20
    }

    func testAProductInsideAnotherParallelLoopRunsWhole() {
        let resources = HostResources(threads: 2)
        let a = Tensor(shape: [64 * 64], repeating: 1)
        var c = Tensor(zeros: [64 * 64])
        let p = Product(transA: false, transB: false, m: 64, n: 64, k: 64, alpha: 1, a: a.pointer, lda: 64, b: a.pointer, ldb: 64,
                        beta: 0, c: c.mutablePointer(), ldc: 64)
        let cut = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 2)
        defer { cut.deallocate() }
        nonisolated(unsafe) let shared = cut
        resources.workers.run(chunks: 2) { shared[$0] = p.split(parts: 2, on: resources.workers) }
        XCTAssertEqual(Array(cut), [false, false])
        XCTAssertTrue(p.split(parts: 2, on: resources.workers))  // outside any loop
        XCTAssertEqual(c.scalars, Array(repeating: 64, count: 64 * 64))
    }

    func testAProductNarrowerThanOneBlockIsNotCut() {
        let a = try! Tensor(shape: [4], values: [1, 2, 3, 4]), b = try! Tensor(shape: [4], values: [1, 1, 1, 1])
        var c = Tensor(zeros: [4])
        let p = Product(transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1, a: a.pointer, lda: 2, b: b.pointer, ldb: 2,
                        beta: 0, c: c.mutablePointer(), ldc: 2)
        XCTAssertFalse(p.split(parts: 2, on: HostResources(threads: 2).workers))
        XCTAssertEqual(c.scalars, [0, 0, 0, 0])
    }
}
