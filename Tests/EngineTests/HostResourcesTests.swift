@testable import Engine
import Synchronization
import XCTest

/// The threads and host memory pool of an engine context: work run in a context (`run`) takes its loops'
/// threads and its tensors' buffers from that context's resources, and another context's work from its own.
final class HostResourcesTests: XCTestCase {
    /// The chunks one parallel loop of `count` items is cut into where it runs.
    private func chunksOfALoop(_ count: Int) -> Int {
        let chunks = Atomic<Int>(0)
        parallelChunks(count) { _ in chunks.add(1, ordering: .relaxed) }
        return chunks.load(ordering: .relaxed)
    }

    func testALoopRunsOnTheThreadsOfTheContextItRunsIn() {
        let one = HostResources(threads: 1), three = HostResources(threads: 3)
        XCTAssertEqual(one.run { chunksOfALoop(1000) }, 1)
        XCTAssertEqual(three.run { chunksOfALoop(1000) }, 3)
        XCTAssertEqual(three.run { one.run { chunksOfALoop(1000) } }, 1, "the innermost context is the one in use")
        XCTAssertEqual(three.run { _ = one.run { 0 }; return chunksOfALoop(1000) }, 3, "a context's end restores the one before")
    }

    func testTheWorkersOfALoopRunInTheCallersContext() {
        let three = HostResources(threads: 3)
        let outside = Atomic<Int>(0)
        three.run { parallelFor(300) { _ in if HostResources.inUse !== three { outside.add(1, ordering: .relaxed) } } }
        XCTAssertEqual(outside.load(ordering: .relaxed), 0)
    }

    func testTwoContextsWithDifferentThreadCountsComputeTheSameAnswer() throws {
        var rng = RandomGenerator(seed: 11)
        // 128³ multiply-adds: past the size at which a product is cut across threads.
        let a = Initializer.normal(shape: [128, 128], std: 1, rng: &rng), b = Initializer.normal(shape: [128, 128], std: 1, rng: &rng)
        let c = Initializer.normal(shape: [256, 1024], std: 1, rng: &rng)
        func compute() throws -> [Float] {
            try linear(Variable(a), Variable(b), nil).value.scalars + relu(Variable(c)).value.scalars
        }
        let one = try HostResources(threads: 1).run(compute), three = try HostResources(threads: 3).run(compute)
        XCTAssertEqual(one.count, three.count)
        for i in one.indices { XCTAssertEqual(one[i], three[i], accuracy: 1e-4 * max(1, abs(one[i])), "element \(i)") }
    }

    func testEachContextsTensorsTakeAndReturnBuffersOfItsOwnPool() {
        let first = HostResources(threads: 1), second = HostResources(threads: 2)
        let floats = StoragePool.minimumPooled
        var kept: Tensor? = first.run { Tensor(zeros: [floats]) }
        XCTAssertEqual(first.memory.liveFloats, floats)
        XCTAssertEqual(second.memory.liveFloats, 0, "the other context's pool gave nothing")
        second.run { kept = nil }  // freed where another context runs: back to the pool it came from
        XCTAssertNil(kept)
        XCTAssertEqual(first.memory.liveFloats, 0)
        XCTAssertEqual(first.memory.cachedFloats, floats)
        XCTAssertEqual(second.memory.cachedFloats, 0)
        let again = first.run { Tensor(zeros: [floats]) }
        XCTAssertEqual(first.memory.cachedFloats, 0, "the freed buffer is taken again")
        XCTAssertEqual(again.count, floats)
    }

    func testAnotherThreadCountKeepsThePool() {
        let resources = HostResources(threads: 1)
        XCTAssertTrue(resources.with(threads: 4).memory === resources.memory)
        XCTAssertEqual(resources.with(threads: 4).threads, 4)
    }
}
