@testable import Engine
import XCTest

/// The engine's parallel loops with more threads than cores, and more threads than items.
final class ParallelTests: XCTestCase {
    func testEveryIndexRunsExactlyOnceWithMoreThreadsThanCores() {
        HostResources(threads: 64).run {
            for count in [0, 1, 3, 63, 64, 65, 1000] {
                let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
                visits.initialize(repeating: 0)
                defer { visits.deallocate() }
                nonisolated(unsafe) let shared = visits
                parallelFor(count) { shared[$0] += 1 }  // disjoint indices: no lock needed
                XCTAssertEqual(Array(visits.prefix(count)), Array(repeating: 1, count: count), "count \(count)")
            }
        }
    }
}
