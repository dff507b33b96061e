/// max(x, 0) elementwise; the gradient passes where the input is positive.
public func relu(_ x: Variable) -> Variable { leakyReLU(x, slope: 0) }

/// x for x > 0, slope·x otherwise (PyTorch's F.leaky_relu; Darknet uses slope 0.1).
public func leakyReLU(_ x: Variable, slope: Float) -> Variable {
    let backend = x.value.backend
    let layout = x.value.layout
    let y = backend.leakyReLU(x.value.memory, slope: slope).laidOut(as: layout)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.leakyReLUBackward(dy.memory, input: x.value.memory, slope: slope).laidOut(as: layout))
    }
}
