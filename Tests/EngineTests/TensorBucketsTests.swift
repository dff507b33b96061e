import Engine
import XCTest

/// Tensors packed into flat buckets for one reduction each, and unpacked again in their places.
final class TensorBucketsTests: XCTestCase {
    /// [2, 3], [5], [4, 1] and [9]: element i of tensor t holds t·100 + i.
    private let tensors = [[2, 3], [5], [4, 1], [9]].enumerated().map { t, shape in
        try! Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { Float(t * 100 + $0) })
    }

    /// Buckets fill in order up to the limit; a tensor larger than the limit goes alone.
    func testBucketsHoldTheTensorsInOrderUpToTheLimit() {
        var buckets: [[Float]] = []
        _ = Tensor.reducedInBuckets(tensors, bucketFloats: 8) { buckets.append($0.scalars) }
        XCTAssertEqual(buckets, [tensors[0].scalars, tensors[1].scalars, tensors[2].scalars, tensors[3].scalars])
        buckets = []
        _ = Tensor.reducedInBuckets(tensors, bucketFloats: 11) { buckets.append($0.scalars) }
        XCTAssertEqual(buckets, [tensors[0].scalars + tensors[1].scalars, tensors[2].scalars, tensors[3].scalars])
    }

    /// Each tensor comes back with its shape and its own stretch of its reduced bucket.
    func testEachTensorGetsItsStretchOfTheReducedBucketBack() {
        let doubled = Tensor.reducedInBuckets(tensors, bucketFloats: 11) { bucket in
            bucket = (try? Tensor(shape: bucket.shape, values: bucket.scalars.map { 2 * $0 })) ?? bucket
        }
        XCTAssertEqual(doubled.map(\.shape), tensors.map(\.shape))
        XCTAssertEqual(doubled.map(\.scalars), tensors.map { $0.scalars.map { 2 * $0 } })
        XCTAssertEqual(Tensor.reducedInBuckets(tensors, bucketFloats: 1 << 20) { _ in }.map(\.scalars), tensors.map(\.scalars))
        XCTAssertTrue(Tensor.reducedInBuckets([], bucketFloats: 8) { _ in XCTFail("no tensors, no bucket") }.isEmpty)
    }

    /// A world of one process sums and broadcasts to the same tensors.
    func testAWorldOfOneKeepsItsTensors() {
        XCTAssertEqual(World.alone.sum(tensors, bucketFloats: 8).map(\.scalars), tensors.map(\.scalars))
        XCTAssertEqual(World.alone.broadcast(tensors, bucketFloats: 8).map(\.scalars), tensors.map(\.scalars))
    }
}
