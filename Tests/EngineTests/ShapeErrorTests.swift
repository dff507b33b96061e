import Engine
import XCTest

/// Shape and argument errors are thrown (never a trap) and name the operation and the shapes.
final class ShapeErrorTests: XCTestCase {
    private func v(_ shape: [Int]) -> Variable { Variable(Tensor(zeros: shape), requiresGrad: true) }

    private func assertError(_ expected: String, _ body: () throws -> Variable, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testMessagesNameTheOperationAndBothShapes() {
        assertError("linear: input features differ from weight's: [4, 5] vs [3, 6]") { try linear(self.v([4, 5]), self.v([3, 6]), nil) }
        assertError("conv2d: input channels differ from weight's: [1, 3, 8, 8] vs [4, 2, 3, 3]") {
            try conv2d(self.v([1, 3, 8, 8]), self.v([4, 2, 3, 3]))
        }
        assertError("conv2d: kernel larger than the padded input: [1, 1, 2, 2] vs [1, 1, 5, 5]") {
            try conv2d(self.v([1, 1, 2, 2]), self.v([1, 1, 5, 5]))
        }
        assertError("add: shapes differ: [2, 3] vs [3, 2]") { try add(self.v([2, 3]), self.v([3, 2])) }
        assertError("batch norm: weight must have one value per input channel: [4] vs [3]") {
            try batchNorm(self.v([2, 3]), weight: self.v([4]), bias: self.v([3]), runningMean: self.v([3]), runningVar: self.v([3]), training: true)
        }
        assertError("batch norm: training needs more than one value per channel, got input [1, 3]") {
            try batchNorm(self.v([1, 3]), weight: self.v([3]), bias: self.v([3]), runningMean: self.v([3]), runningVar: self.v([3]), training: true)
        }
        assertError("max pool: input must be [N, C, H, W], got [2, 3]") { try maxPool2d(self.v([2, 3]), kernel: 2) }
        assertError("cross entropy: label 5 is outside 0..<3 for logits of shape [2, 3]") { try crossEntropy(self.v([2, 3]), labels: [0, 5]) }
        assertError("cross entropy: 1 labels for logits of shape [2, 3]") { try crossEntropy(self.v([2, 3]), labels: [0]) }
        assertError("dropout: mask shape differs from input: [2] vs [3]") { try dropout(self.v([3]), mask: Tensor(zeros: [2]), p: 0.5) }
    }

    func testReshapeAndTensorConstructionErrors() {
        XCTAssertThrowsError(try Tensor(zeros: [2, 3]).reshaped([4])) { error in
            XCTAssertEqual("\(error)", "reshape: element counts differ: [2, 3] vs [4]")
        }
        XCTAssertThrowsError(try Tensor(shape: [2, 2], values: [1, 2, 3])) { error in
            XCTAssertEqual("\(error)", "Tensor: 3 values do not fill shape [2, 2] (4 elements)")
        }
    }
}
