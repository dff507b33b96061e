import XCTest

/// What the engine's product kernels are checked against: epilogue(A·B) summed in Double, element by element.
/// A is m×k (rows k apart), B k×n (rows ldb apart); row i of the result goes to expected[i·ldc …], plus the
/// residual's element at the same place and bias[i], through a leaky ReLU of negative slope `slope` when given.
func textbookProduct(m: Int, n: Int, k: Int, a: [Float], b: [Float], ldb: Int, residual: [Float]?, bias: [Float]?,
                     slope: Float?, ldc: Int, into expected: inout [Float]) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for l in 0..<k { sum += Double(a[i * k + l]) * Double(b[l * ldb + j]) }
            var v = Float(sum)
            if let residual { v += residual[i * ldc + j] }
            if let bias { v += bias[i] }
            if let slope { v = max(v, 0) + slope * min(v, 0) }
            expected[i * ldc + j] = v
        }
    }
}

/// Asserts that a kernel's values lie within 3e-5 of the largest expected magnitude of the expected ones (and that
/// not every expected value is zero, which would let any kernel pass).
func assertProductClose(_ actual: [Float], _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
    let scale = expected.map(abs).max() ?? 0
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
    XCTAssertGreaterThan(scale, 0, "\(what): expected values are all zero", file: file, line: line)
    XCTAssertLessThanOrEqual(worst, 3e-5 * scale, "\(what): largest difference \(worst) of \(scale)", file: file, line: line)
}
