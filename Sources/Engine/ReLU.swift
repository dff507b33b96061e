/// max(x, 0) elementwise; the gradient passes where the input is positive.
public func relu(_ x: Variable) -> Variable { leakyReLU(x, slope: 0) }

/// x for x > 0, slope·x otherwise (PyTorch's F.leaky_relu; Darknet uses slope 0.1).
public func leakyReLU(_ x: Variable, slope: Float) -> Variable {
    let backend = x.value.backend
    let y = backend.leakyReLU(x.value, slope: slope)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.leakyReLUBackward(dy, input: x.value, slope: slope))
    }
}
