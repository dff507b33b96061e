/// a + b for tensors of the same shape (residual connections).
public func add(_ a: Variable, _ b: Variable) throws -> Variable {
    guard a.shape == b.shape else { throw EngineError.shapeMismatch("add", "shapes differ", a.shape, b.shape) }
    let n = a.value.count
    var y = Tensor(uninitialized: a.shape)
    let ap = a.value.pointer, bp = b.value.pointer, yp = y.mutablePointer()
    parallelChunks(n, minimumPerChunk: 1 << 16) { range in
        for i in range { yp[i] = ap[i] + bp[i] }
    }
    return Variable.result(y, parents: [a, b]) { dy in
        a.accumulate(dy)
        b.accumulate(dy)
    }
}

/// x · s for a constant scalar s.
public func scale(_ x: Variable, by s: Float) -> Variable {
    var y = x.value
    let yp = y.mutablePointer()
    for i in 0..<y.count { yp[i] *= s }
    return Variable.result(y, parents: [x]) { dy in
        var dx = dy
        let dxp = dx.mutablePointer()
        for i in 0..<dx.count { dxp[i] *= s }
        x.accumulate(dx)
    }
}

/// Keeps the first dimension and flattens the rest: [N, ...] → [N, product of the rest].
public func flatten(_ x: Variable) throws -> Variable {
    guard let n = x.shape.first else { throw EngineError.invalid("flatten", "input has no dimensions") }
    let y = try x.value.reshaped([n, x.value.count / max(n, 1)])
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(try! dy.reshaped(x.shape))
    }
}
