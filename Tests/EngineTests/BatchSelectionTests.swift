import Engine
import XCTest

/// Picking parts of a batch: items by index (repeats allowed), batches one after another, and a window of every plane
/// from another batch.
final class BatchSelectionTests: XCTestCase {
    /// [3, 2, 2, 3]: element (n, c, y, x) holds n·100 + c·10 + y·3 + x.
    private let batch = try! Tensor(shape: [3, 2, 2, 3], values: (0..<36).map { (i: Int) -> Float in
        let (n, c, position) = (i / 12, i / 6 % 2, i % 6)
        return Float(n * 100 + c * 10 + position)
    })

    func testSelectingReordersAndRepeatsItems() throws {
        let picked = try batch.selecting([2, 0, 2])
        XCTAssertEqual(picked.shape, [3, 2, 2, 3])
        XCTAssertEqual(picked[0, 1, 1, 2], 215)
        XCTAssertEqual(picked[1, 0, 0, 1], 1)
        XCTAssertEqual(picked[2, 0, 1, 0], 203)
        XCTAssertEqual(try batch.selecting([]).shape, [0, 2, 2, 3])
    }

    func testSelectingAnIndexOutsideTheBatchNamesIt() {
        XCTAssertThrowsError(try batch.selecting([0, 3])) { XCTAssertTrue("\($0)".contains("index 3"), "\($0)") }
    }

    /// Inside the window every plane holds the source's values, outside it its own.
    func testPastingCopiesTheWindowOfEveryPlane() throws {
        let source = try batch.selecting([1, 2, 0])
        let pasted = try batch.pasting(source, rows: 1..<2, columns: 1..<3)
        for n in 0..<3 { for c in 0..<2 { for y in 0..<2 { for x in 0..<3 {
            let inside = y == 1 && x >= 1
            XCTAssertEqual(pasted[n, c, y, x], (inside ? source : batch)[n, c, y, x], "(\(n), \(c), \(y), \(x))")
        } } } }
        XCTAssertEqual(try batch.pasting(source, rows: 0..<2, columns: 2..<2).scalars, batch.scalars, "an empty window")
    }

    func testPastingOutsideThePlanesOrFromAnotherShapeThrows() {
        XCTAssertThrowsError(try batch.pasting(batch, rows: 0..<3, columns: 0..<1))
        XCTAssertThrowsError(try batch.pasting(try batch.selecting([0]), rows: 0..<1, columns: 0..<1))
    }

    /// A mixed batch's parts put back together give the batch they were taken from.
    func testConcatenatingPartsGivesTheBatchBack() throws {
        let parts = [try batch.selecting([0]), try batch.selecting([1, 2])]
        let whole = try Tensor(concatenating: parts)
        XCTAssertEqual(whole.shape, [3, 2, 2, 3])
        XCTAssertEqual(whole.scalars, batch.scalars)
        XCTAssertEqual(try Tensor(concatenating: [parts[1], parts[0], parts[1]]).scalars,
                       try batch.selecting([1, 2, 0, 1, 2]).scalars)
    }

    func testConcatenatingUnlikePartsOrNoneThrows() throws {
        let planes = try batch.reshaped([3, 2, 6])
        XCTAssertThrowsError(try Tensor(concatenating: [batch, planes])) { XCTAssertTrue("\($0)".contains("concatenate"), "\($0)") }
        XCTAssertThrowsError(try Tensor(concatenating: []))
    }
}
