@testable import Engine
import XCTest

/// Swapping the batch and channel axes: a copy in general, a new shape only for one image or one channel.
final class SwapAxesTests: XCTestCase {
    func testOneImageKeepsItsElementsInOrder() throws {
        let x = try Tensor(shape: [1, 3, 1, 2], values: [1, 2, 3, 4, 5, 6])
        let y = try swapBatchAndChannels(Variable(x)).value
        XCTAssertEqual(y.shape, [3, 1, 1, 2])
        XCTAssertEqual(y.scalars, [1, 2, 3, 4, 5, 6])
    }

    func testTwoImagesInterleave() throws {
        let x = try Tensor(shape: [2, 2, 1, 1], values: [1, 2, 3, 4])
        let y = try swapBatchAndChannels(Variable(x)).value
        XCTAssertEqual(y.shape, [2, 2, 1, 1])
        XCTAssertEqual(y.scalars, [1, 3, 2, 4])
    }

    func testWritingTheSwappedImageLeavesTheOriginalAlone() throws {
        let x = try Tensor(shape: [1, 2, 1, 1], values: [1, 2])
        var y = try swapBatchAndChannels(Variable(x)).value
        y.mutablePointer()[0] = 9
        XCTAssertEqual(x.scalars, [1, 2])
        XCTAssertEqual(y.scalars, [9, 2])
    }
}
