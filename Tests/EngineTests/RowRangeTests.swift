import Engine
import XCTest

final class RowRangeTests: XCTestCase {
    func testRowsAreTheSameFloatsAndGradientsReachOnlyThoseRows() throws {
        let values = (0..<12).map { Float($0) * 0.37 - 1.5 }
        let x = Variable(try Tensor(shape: [4, 3], values: values), requiresGrad: true)
        let y = try rows(x, 1..<3)
        XCTAssertEqual(y.shape, [2, 3])
        XCTAssertEqual(y.value.scalars, Array(values[3..<9]))
        try y.backward(seed: try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(x.grad?.scalars, [0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0])
    }

    func testEveryRowIsTheInputAndBadRangesAreRefused() throws {
        let x = Variable(Tensor(zeros: [3, 2]))
        XCTAssertTrue(try rows(x, 0..<3) === x)
        XCTAssertThrowsError(try rows(x, 2..<4)) { XCTAssertTrue("\($0)".contains("rows 2..<4 of a matrix with 3 rows"), "\($0)") }
        XCTAssertThrowsError(try rows(x, 1..<1))
        XCTAssertThrowsError(try rows(Variable(Tensor(zeros: [3])), 0..<1))
    }
}
