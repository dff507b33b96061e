/// a + b for tensors of the same shape (residual connections), in a's layout.
public func add(_ a: Variable, _ b: Variable) throws -> Variable {
    guard a.shape == b.shape else { throw EngineError.shapeMismatch("add", "shapes differ", a.shape, b.shape) }
    let layout = a.value.layout
    let y = a.value.backend.add(a.value.memory, b.value.inLayout(layout).memory).laidOut(as: layout)
    return Variable.result(y, parents: [a, b]) { dy in
        a.accumulate(dy)
        b.accumulate(dy)
    }
}

/// x · s for a constant scalar s.
public func scale(_ x: Variable, by s: Float) -> Variable {
    let backend = x.value.backend, layout = x.value.layout
    return Variable.result(backend.scale(x.value.memory, by: s).laidOut(as: layout), parents: [x]) { dy in
        x.accumulate(backend.scale(dy.memory, by: s).laidOut(as: layout))
    }
}

/// Keeps the first dimension and flattens the rest in row-major order: [N, ...] → [N, product of the rest].
public func flatten(_ x: Variable) throws -> Variable {
    guard let n = x.shape.first else { throw EngineError.invalid("flatten", "input has no dimensions") }
    let y = try x.value.reshaped([n, x.value.count / max(n, 1)])
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(try! dy.reshaped(x.shape))
    }
}

/// [N, C, H, W] → [C, N, H, W]: the first two axes transposed (PyTorch's x.transpose(0, 1), contiguous).
public func swapBatchAndChannels(_ x: Variable) throws -> Variable {
    guard x.shape.count == 4 else { throw EngineError.invalid("swap batch and channels", "input must be 4-D, got \(describe(x.shape))") }
    let backend = x.value.backend
    return Variable.result(backend.swapFirstTwoAxes(x.value.inLayout(.nchw)), parents: [x]) { dy in
        x.accumulate(backend.swapFirstTwoAxes(dy))
    }
}
