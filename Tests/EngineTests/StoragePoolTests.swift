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
        buffers.forEach { pool.give($0) }
        XCTAssertEqual(pool.cachedFloats, 4 * size)
        let reused = (0..<4).map { _ in pool.take(size) }
        XCTAssertEqual(reused, buffers.reversed())
        XCTAssertEqual(pool.cachedFloats, 0)
        reused.forEach { pool.give($0) }
    }

    func testABufferBeyondTheLivePeakAndSlackEvictsTheOneFreedLongestAgo() {
        var pool = StoragePool(slack: size, maximumAge: 1000)
        let buffers = (0..<4).map { _ in pool.take(size) }
        buffers.forEach { pool.give($0) }
        // Live 2, cached 4, peak 4, slack 1: one cached buffer has to go, the first freed.
        let larger = pool.take(2 * size)
        XCTAssertEqual(pool.peakLiveFloats, 4 * size)
        XCTAssertEqual(pool.cachedFloats, 3 * size)
        XCTAssertEqual((0..<3).map { _ in pool.take(size) }, buffers[1...].reversed())
        pool.give(larger)
    }

    func testABufferNotTakenAgainWithinTheMaximumAgeIsDropped() {
        var pool = StoragePool(slack: 8 * size, maximumAge: 6)
        pool.give(pool.take(size))
        // Another size taken and given three times: six more takes and gives.
        for _ in 0..<3 { pool.give(pool.take(2 * size)) }
        XCTAssertEqual(pool.cachedFloats, 3 * size, "dropped before its age")
        pool.give(pool.take(2 * size))
        XCTAssertEqual(pool.cachedFloats, 2 * size, "the buffer unused for eight takes and gives is still cached")
    }

    func testBatchesAFewImagesApartShareOneBuffer() {
        var pool = StoragePool(slack: 0, maximumAge: 1000)
        let image = 4096, batch63 = 63 * image, batch64 = 64 * image
        let buffer = pool.take(batch63)
        pool.give(buffer)
        XCTAssertEqual(pool.take(batch64), buffer, "a 64-image batch takes the 63-image batch's buffer")
        XCTAssertEqual(pool.liveFloats, batch64)
        pool.give(buffer)
        XCTAssertEqual(pool.take(62 * image), buffer, "a 62-image batch takes the 64-image batch's buffer")
        XCTAssertEqual(pool.liveFloats, batch64, "the buffer counts with its own size")
        pool.give(buffer)
        XCTAssertEqual(pool.cachedFloats, batch64)
        let smaller = pool.take(56 * image)
        XCTAssertNotEqual(smaller, buffer, "an eighth smaller and more takes a buffer of its own")
        pool.give(smaller)
    }

    func testASizeClassIsTheSizeRoundedUpToASixteenthOfAPowerOfTwo() {
        XCTAssertEqual(StoragePool.sizeClass(1 << 18), 1 << 18)
        XCTAssertEqual(StoragePool.sizeClass((1 << 18) + 1), (1 << 18) + (1 << 14))
        XCTAssertEqual(StoragePool.sizeClass(62 * 4096), 62 * 4096)
        XCTAssertEqual(StoragePool.sizeClass(63 * 4096), 64 * 4096)
        for count in stride(from: StoragePool.minimumPooled, to: 1 << 24, by: 9973) {
            let size = StoragePool.sizeClass(count)
            XCTAssertGreaterThanOrEqual(size, count)
            XCTAssertLessThan(Double(size - count), Double(count) / 16, "size \(count)")
        }
    }
}
