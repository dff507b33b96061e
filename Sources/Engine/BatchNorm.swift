/// Batch normalisation over the channels of x [N, C] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d).
/// In training it normalises with the batch statistics and updates the running mean and the
/// unbiased running variance with `momentum`, exactly as PyTorch; in evaluation it uses the running ones.
public func batchNorm(_ x: Variable, weight: Variable, bias: Variable,
                      runningMean: Variable, runningVar: Variable,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) throws -> Variable {
    let op = "batch norm"
    guard x.shape.count == 2 || x.shape.count == 4 else {
        throw EngineError.invalid(op, "input must be [N, C] or [N, C, H, W], got \(describe(x.shape))")
    }
    let (n, c) = (x.shape[0], x.shape[1])
    let area = x.shape.count == 4 ? x.shape[2] * x.shape[3] : 1
    for (name, v) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)]
    where v.shape != [c] {
        throw EngineError.shapeMismatch(op, "\(name) must have one value per input channel", v.shape, [c])
    }
    let m = n * area
    if training && m < 2 {
        throw EngineError.invalid(op, "training needs more than one value per channel, got input \(describe(x.shape))")
    }

    // Layout: element (n, c, i) at (n·C + c)·area + i. Statistics per channel.
    var mean = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    let xp = x.value.pointer
    if training {
        var variance = [Float](repeating: 0, count: c)
        mean.withUnsafeMutableBufferPointer { meanp in
            invStd.withUnsafeMutableBufferPointer { invp in
                variance.withUnsafeMutableBufferPointer { varp in
                    parallelFor(c) { ch in
                        var sum: Double = 0
                        for s in 0..<n {
                            let row = xp + (s * c + ch) * area
                            var partial: Float = 0
                            for i in 0..<area { partial += row[i] }
                            sum += Double(partial)
                        }
                        let mu = Float(sum / Double(m))
                        var squares: Double = 0
                        for s in 0..<n {
                            let row = xp + (s * c + ch) * area
                            var partial: Float = 0
                            for i in 0..<area { let d = row[i] - mu; partial += d * d }
                            squares += Double(partial)
                        }
                        let v = Float(squares / Double(m))
                        meanp[ch] = mu
                        varp[ch] = v
                        invp[ch] = 1 / (v + epsilon).squareRoot()
                    }
                }
            }
        }
        let unbias = Float(m) / Float(m - 1)
        let rm = runningMean.value.mutablePointer(), rv = runningVar.value.mutablePointer()
        for ch in 0..<c {
            rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch]
            rv[ch] = (1 - momentum) * rv[ch] + momentum * variance[ch] * unbias
        }
    } else {
        let rm = runningMean.value.pointer, rv = runningVar.value.pointer
        for ch in 0..<c {
            mean[ch] = rm[ch]
            invStd[ch] = 1 / (rv[ch] + epsilon).squareRoot()
        }
    }

    var y = Tensor(uninitialized: x.shape)
    let yp = y.mutablePointer(), gp = weight.value.pointer, bp = bias.value.pointer
    mean.withUnsafeBufferPointer { meanp in
        invStd.withUnsafeBufferPointer { invp in
            parallelFor(n * c, minimumPerChunk: max(1, 4096 / area)) { block in
                let ch = block % c
                let scale = invp[ch] * gp[ch], shift = bp[ch] - meanp[ch] * scale
                let src = xp + block * area, dst = yp + block * area
                for i in 0..<area { dst[i] = src[i] * scale + shift }
            }
        }
    }

    return Variable.result(y, parents: [x, weight, bias]) { dy in
        let dyp = dy.pointer
        var sumDy = [Float](repeating: 0, count: c)
        var sumDyXhat = [Float](repeating: 0, count: c)
        sumDy.withUnsafeMutableBufferPointer { sdp in
            sumDyXhat.withUnsafeMutableBufferPointer { sxp in
                parallelFor(c) { ch in
                    let mu = mean[ch], inv = invStd[ch]
                    var a: Double = 0, b: Double = 0
                    for s in 0..<n {
                        let offset = (s * c + ch) * area
                        var pa: Float = 0, pb: Float = 0
                        for i in 0..<area {
                            let g = dyp[offset + i]
                            pa += g
                            pb += g * (xp[offset + i] - mu)
                        }
                        a += Double(pa); b += Double(pb)
                    }
                    sdp[ch] = Float(a)
                    sxp[ch] = Float(b) * inv
                }
            }
        }
        if x.requiresGrad {
            var dx = Tensor(uninitialized: x.shape)
            let dxp = dx.mutablePointer()
            let inverseCount = 1 / Float(m)
            parallelFor(n * c, minimumPerChunk: max(1, 4096 / area)) { block in
                let ch = block % c
                let inv = invStd[ch], mu = mean[ch], scale = gp[ch] * inv
                let offset = block * area
                if training {
                    let meanDy = sumDy[ch] * inverseCount, meanDyXhat = sumDyXhat[ch] * inverseCount
                    for i in 0..<area {
                        let xhat = (xp[offset + i] - mu) * inv
                        dxp[offset + i] = scale * (dyp[offset + i] - meanDy - xhat * meanDyXhat)
                    }
                } else {
                    for i in 0..<area { dxp[offset + i] = scale * dyp[offset + i] }
                }
            }
            x.accumulate(dx)
        }
        if weight.requiresGrad { weight.accumulate(try! Tensor(shape: [c], values: sumDyXhat)) }
        if bias.requiresGrad { bias.accumulate(try! Tensor(shape: [c], values: sumDy)) }
    }
}

/// Batch normalisation layer (PyTorch's nn.BatchNorm1d / nn.BatchNorm2d with affine parameters).
public final class BatchNorm: Module {
    public let weight: Variable
    public let bias: Variable
    public let runningMean: Variable
    public let runningVar: Variable
    public var momentum: Float = 0.1
    public var epsilon: Float = 1e-5
    public var training = true

    public init(_ channels: Int) {
        weight = Variable(Tensor(shape: [channels], repeating: 1), requiresGrad: true)
        bias = Variable(Tensor(zeros: [channels]), requiresGrad: true)
        weight.isBiasOrNorm = true
        bias.isBiasOrNorm = true
        runningMean = Variable(Tensor(zeros: [channels]))
        runningVar = Variable(Tensor(shape: [channels], repeating: 1))
    }

    public func callAsFunction(_ x: Variable) throws -> Variable {
        try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                      training: training, momentum: momentum, epsilon: epsilon)
    }

    public func setTraining(_ training: Bool) { self.training = training }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        [NamedVariable(name: qualified(prefix, "weight"), variable: weight, isBuffer: false),
         NamedVariable(name: qualified(prefix, "bias"), variable: bias, isBuffer: false),
         NamedVariable(name: qualified(prefix, "running_mean"), variable: runningMean, isBuffer: true),
         NamedVariable(name: qualified(prefix, "running_var"), variable: runningVar, isBuffer: true)]
    }
}
