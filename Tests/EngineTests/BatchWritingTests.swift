import Engine
import XCTest

/// A batch written item by item, each item in its own place of the batch's storage.
final class BatchWritingTests: XCTestCase {
    /// Item i's element j holds i·10 + j, whichever thread wrote it; what an item leaves unwritten stays zero.
    func testEveryItemIsWrittenInItsOwnPlace() {
        for threads in [1, 3, 8] {
            let batch = Tensor(items: 5, shape: [2, 2], threads: threads) { i, item in
                XCTAssertEqual(item.count, 4)
                for j in 0..<(i == 4 ? 3 : 4) { item[j] = Float(i * 10 + j) }
            }
            XCTAssertEqual(batch.shape, [5, 2, 2])
            let expected: [Float] = (0..<20).map { (k: Int) -> Float in k == 19 ? 0 : Float(k / 4 * 10 + k % 4) }
            XCTAssertEqual(batch.scalars, expected, "\(threads) threads")
        }
        XCTAssertEqual(Tensor(items: 0, shape: [3], threads: 4) { _, _ in XCTFail("no items, no writes") }.shape, [0, 3])
    }
}
