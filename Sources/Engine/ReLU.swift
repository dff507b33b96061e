/// max(x, 0) elementwise; the gradient passes where the output is positive.
public func relu(_ x: Variable) -> Variable {
    let n = x.value.count
    var y = Tensor(uninitialized: x.shape)
    let xp = x.value.pointer, yp = y.mutablePointer()
    parallelChunks(n, minimumPerChunk: 1 << 16) { range in
        for i in range { yp[i] = xp[i] > 0 ? xp[i] : 0 }
    }
    return Variable.result(y, parents: [x]) { [y] dy in
        var dx = Tensor(uninitialized: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer, outp = y.pointer
        parallelChunks(n, minimumPerChunk: 1 << 16) { range in
            for i in range { dxp[i] = outp[i] > 0 ? dyp[i] : 0 }
        }
        x.accumulate(dx)
    }
}

/// x for x > 0, slope·x otherwise (PyTorch's F.leaky_relu; Darknet uses slope 0.1).
public func leakyReLU(_ x: Variable, slope: Float) -> Variable {
    let n = x.value.count
    var y = Tensor(uninitialized: x.shape)
    let xp = x.value.pointer, yp = y.mutablePointer()
    parallelChunks(n, minimumPerChunk: 1 << 16) { range in
        for i in range { yp[i] = xp[i] > 0 ? xp[i] : xp[i] * slope }
    }
    return Variable.result(y, parents: [x]) { dy in
        var dx = Tensor(uninitialized: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer, inp = x.value.pointer
        parallelChunks(n, minimumPerChunk: 1 << 16) { range in
            for i in range { dxp[i] = inp[i] > 0 ? dyp[i] : dyp[i] * slope }
        }
        x.accumulate(dx)
    }
}
