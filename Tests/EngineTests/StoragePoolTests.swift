@testable import Engine
import XCTest

/// The buffer pool keeps live and cached buffers together within the live peak plus its slack, evicting
/// the buffers freed longest ago, and drops a buffer nobody took again for `maximumAge` takes and gives.
/// Sizes are a minimum pooled buffer; the pages are never touched, so this costs address space only.
final class StoragePoolTests: XCTestCase {
    let size = StoragePool.minimumPooled

    func testThePoolKeepsAStepsBuffersAndHandsOutTheNewestFirst() {
        var pool = StoragePool(slack: 0, maximumAge: 1000)
        let buffers = (0..<4).map { _ in pool.take(size) }
        buffers.forEach { pool.give($0, size) }
        XCTAssertEqual(pool.cachedFloats, 4 * size)
        let reused = (0..<4).map { _ in pool.take(size) }
        XCTAssertEqual(reused, buffers.reversed())
        XCTAssertEqual(pool.cachedFloats, 0)
        reused.forEach { pool.give($0, size) }
    }

    func testABufferBeyondTheLivePeakAndSlackEvictsTheOneFreedLongestAgo() {
        var pool = StoragePool(slack: size, maximumAge: 1000)
        let buffers = (0..<4).map { _ in pool.take(size) }
        buffers.forEach { pool.give($0, size) }
        // Live 2, cached 4, peak 4, slack 1: one cached buffer has to go, the first freed.
        let larger = pool.take(2 * size)
        XCTAssertEqual(pool.peakLiveFloats, 4 * size)
        XCTAssertEqual(pool.cachedFloats, 3 * size)
        XCTAssertEqual((0..<3).map { _ in pool.take(size) }, buffers[1...].reversed())
        pool.give(larger, 2 * size)
    }

    func testABufferNotTakenAgainWithinTheMaximumAgeIsDropped() {
        var pool = StoragePool(slack: 8 * size, maximumAge: 6)
        pool.give(pool.take(size), size)
        // Another size taken and given three times: six more takes and gives.
        for _ in 0..<3 { pool.give(pool.take(2 * size), 2 * size) }
        XCTAssertEqual(pool.cachedFloats, 3 * size, "dropped before its age")
        pool.give(pool.take(2 * size), 2 * size)
        XCTAssertEqual(pool.cachedFloats, 2 * size, "the buffer unused for eight takes and gives is still cached")
    }
}
