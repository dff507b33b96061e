/// Rows `range` of a matrix [N, F] as [range.count, F], with gradients flowing back to those rows only.
/// Computed as a product with a 0/1 selection matrix, so it runs on every backend the matrix product does;
/// each output is one input times 1 plus zeros, the same float.
public func rows(_ x: Variable, _ range: Range<Int>) throws -> Variable {
    guard x.shape.count == 2 else { throw EngineError.invalid("rows", "input must be [N, F], got \(describe(x.shape))") }
    let n = x.shape[0]
    guard range.lowerBound >= 0, range.upperBound <= n, !range.isEmpty else {
        throw EngineError.invalid("rows", "rows \(range.lowerBound)..<\(range.upperBound) of a matrix with \(n) rows")
    }
    if range == 0..<n { return x }
    var selection = Tensor(zeros: [range.count, n])
    let p = selection.mutablePointer()
    for (row, source) in range.enumerated() { p[row * n + source] = 1 }
    let select = selection.to(x.value.device), backend = x.value.backend
    let y = backend.matmul(select, transposeA: false, x.value, transposeB: false, adding: nil)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.matmul(select, transposeA: true, dy, transposeB: false, adding: nil))
    }
}
