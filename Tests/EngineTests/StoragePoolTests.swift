@testable import Engine
import XCTest

/// The buffer pool keeps at most its capacity and, when full, evicts the buffers freed longest ago:
/// a training step frees its last layers' buffers first and the next step asks for its first layers' first.
final class StoragePoolTests: XCTestCase {
    func testAFullPoolEvictsTheBufferFreedLongestAgoAndHandsOutTheNewestFirst() {
        // A quarter of the capacity: four fit; the pages are never touched, so this costs address space only.
        let size = StoragePool.capacity / 4
        let buffers = (0..<5).map { _ in StoragePool.take(size) }
        buffers.forEach { StoragePool.give($0, size) }
        XCTAssertEqual(StoragePool.cachedFloats, StoragePool.capacity)
        let reused = (0..<4).map { _ in StoragePool.take(size) }
        XCTAssertEqual(reused, buffers[1...].reversed(), "the first buffer freed was not the one evicted")
        XCTAssertEqual(StoragePool.cachedFloats, 0)
        reused.forEach { StoragePool.give($0, size) }
    }
}
