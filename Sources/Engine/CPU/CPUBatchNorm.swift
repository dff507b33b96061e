/// Batch normalisation on the CPU, per channel in parallel. Channel c's values are the `outer` blocks
/// of `inner` contiguous floats at (o·C + c)·inner (NormGeometry); in CNHW that is one long block.
extension CPUBackend {
    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, relu: Bool) -> BatchNormSaved {
        batchNormTraining(x, weight: weight, bias: bias, runningMean: &runningMean, runningVar: &runningVar, g,
                          momentum: momentum, epsilon: epsilon, activation: relu ? .relu : .identity, residual: nil)
    }

    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved {
        var mean = Tensor(uninitialized: [g.channels]), inverseStd = Tensor(uninitialized: [g.channels])
        var variance = Tensor(uninitialized: [g.channels])
        let xp = x.pointer, mp = mean.mutablePointer(), ip = inverseStd.mutablePointer(), vp = variance.mutablePointer()
        // Sums per channel, then this batch's count last, added up over the ranks when synchronised.
        var sums = [Double](repeating: 0, count: g.channels + 1)
        sums.withUnsafeMutableBufferPointer { s in
            parallelFor(g.channels, elementsPerItem: g.valuesPerChannel) { c in
                for o in 0..<g.outer { s[c] += blockSum(xp + (o * g.channels + c) * g.inner, g.inner) }
            }
        }
        sums[g.channels] = Double(g.valuesPerChannel)
        g.ranks?.sum(&sums)
        let m = sums[g.channels]
        for c in 0..<g.channels { mp[c] = Float(sums[c] / m) }
        var squares = [Double](repeating: 0, count: g.channels)
        squares.withUnsafeMutableBufferPointer { s in
            parallelFor(g.channels, elementsPerItem: g.valuesPerChannel) { c in
                for o in 0..<g.outer { s[c] += blockSquaredDeviations(xp + (o * g.channels + c) * g.inner, g.inner, mp[c]) }
            }
        }
        g.ranks?.sum(&squares)
        for c in 0..<g.channels {
            vp[c] = Float(squares[c] / m)
            ip[c] = 1 / (vp[c] + epsilon).squareRoot()
        }
        let unbias = Float(m / (m - 1))
        let rm = runningMean.mutablePointer(), rv = runningVar.mutablePointer()
        for c in 0..<g.channels {
            rm[c] = (1 - momentum) * rm[c] + momentum * mp[c]
            rv[c] = (1 - momentum) * rv[c] + momentum * vp[c] * unbias
        }
        return normalized(x, weight: weight, bias: bias, mean: mean, inverseStd: inverseStd, g, activation, residual)
    }

    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, relu: Bool) -> BatchNormSaved {
        batchNormEvaluation(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, g,
                            epsilon: epsilon, activation: relu ? .relu : .identity, residual: nil)
    }

    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved {
        var inverseStd = Tensor(uninitialized: [g.channels])
        let ip = inverseStd.mutablePointer(), rv = runningVar.pointer
        for c in 0..<g.channels { ip[c] = 1 / (rv[c] + epsilon).squareRoot() }
        return normalized(x, weight: weight, bias: bias, mean: runningMean, inverseStd: inverseStd, g, activation, residual)
    }

    func batchNormNormalized(_ x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, inverseStd: Tensor,
                             _ g: NormGeometry, activation: Activation) -> Tensor {
        normalized(x, weight: weight, bias: bias, mean: mean, inverseStd: inverseStd, g, activation, nil).output
    }

    /// y = (x − mean)·invStd·γ + β (+ residual), then the activation, and what the backward pass needs.
    private func normalized(_ x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, inverseStd: Tensor,
                            _ g: NormGeometry, _ activation: Activation, _ residual: Tensor?) -> BatchNormSaved {
        var y = Tensor(uninitialized: x.shape)
        let xp = x.pointer, yp = y.mutablePointer(), gp = weight.pointer, bp = bias.pointer, rp = residual?.pointer
        let mp = mean.pointer, ip = inverseStd.pointer
        // max(v, floor) + slope·min(v, 0): the identity (floor −∞, slope 0), a ReLU (0, 0) or a leaky ReLU (0, slope).
        let floor: Float = activation == .identity ? -.infinity : 0, slope = activation.slope ?? 0
        parallelChunks(g.outer * g.channels * g.inner, minimumPerChunk: CPUBackend.elementwiseChunk) { range in
            forEachBlock(in: range, g) { block, lo, hi in
                let c = block % g.channels
                let scale = ip[c] * gp[c], shift = bp[c] - mp[c] * scale
                var i = lo
                let s8 = SIMD8(repeating: scale), t8 = SIMD8(repeating: shift), f8 = SIMD8(repeating: floor)
                if rp == nil && slope == 0 {
                    while i + 8 <= hi { store8(yp, i, pointwiseMax(load8(xp, i) * s8 + t8, f8)); i += 8 }
                    while i < hi { yp[i] = max(xp[i] * scale + shift, floor); i += 1 }
                } else {
                    let zero = SIMD8<Float>(), slope8 = SIMD8(repeating: slope)
                    while i + 8 <= hi {
                        var v = load8(xp, i) * s8 + t8
                        if let rp { v += load8(rp, i) }
                        store8(yp, i, pointwiseMax(v, f8) + slope8 * v.replacing(with: zero, where: v .> zero))
                        i += 8
                    }
                    while i < hi {
                        let v = xp[i] * scale + shift + (rp?[i] ?? 0)
                        yp[i] = max(v, floor) + slope * min(v, 0)
                        i += 1
                    }
                }
            }
        }
        return BatchNormSaved(output: y, mean: mean, inverseStd: inverseStd, fusedReLU: activation == .relu,
                              leakySlope: activation == .relu ? nil : activation.slope)
    }

    func batchNormActivationBackward(_ dy: inout Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                                     training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        backward(&dy, x: x, weight: weight, saved: saved, g, training: training, wantsInput: wantsInput)
    }

    func batchNormBackward(_ dy: Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                           training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        var shared = dy
        return backward(&shared, x: x, weight: weight, saved: saved, g, training: training, wantsInput: wantsInput)
    }

    /// The input gradient goes into dy's buffer when dy holds it alone (the stem's 205 MB at ResNet-18 224 b64).
    private func backward(_ dy: inout Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                          training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        // After a fused (leaky) ReLU the incoming gradient is scaled by `negativeScale` where the output is not
        // positive: 0 for a ReLU, the slope for a leaky ReLU.
        let fused = saved.fusedReLU || saved.leakySlope != nil, negativeScale = saved.leakySlope ?? 0
        let dyp = dy.pointer, xp = x.pointer, yp: UnsafePointer<Float>? = fused ? UnsafePointer(saved.output.pointer) : nil
        var sumDy = Tensor(uninitialized: [g.channels]), sumDyXhat = Tensor(uninitialized: [g.channels])
        let sdp = sumDy.mutablePointer(), sxp = sumDyXhat.mutablePointer()
        let mp = saved.mean.pointer, ip = saved.inverseStd.pointer
        // Σ dy and Σ dy·(x − μ) per channel: this rank's for the weight and bias gradients (their
        // all-reduce comes with the other gradients), every rank's for the input gradient.
        var sums = [Double](repeating: 0, count: 2 * g.channels + 1)
        sums.withUnsafeMutableBufferPointer { s in
            parallelFor(g.channels, elementsPerItem: g.valuesPerChannel) { c in
                for o in 0..<g.outer {
                    let offset = (o * g.channels + c) * g.inner
                    let block = blockGradientSums(dyp + offset, xp + offset, yp.map { $0 + offset }, negativeScale, g.inner, mp[c])
                    s[c] += block.0; s[g.channels + c] += block.1
                }
            }
        }
        for c in 0..<g.channels {
            sdp[c] = Float(sums[c])
            sxp[c] = Float(sums[g.channels + c]) * ip[c]
        }
        sums[2 * g.channels] = Double(g.valuesPerChannel)
        if training { g.ranks?.sum(&sums) }
        let totals = sums
        guard wantsInput else { return (nil, sumDyXhat, sumDy) }
        let dx = dy.bufferForOverwrite()
        let dxp = dx.pointer, gp = weight.pointer
        let inverseCount = 1 / Float(totals[2 * g.channels])
        parallelChunks(g.outer * g.channels * g.inner, minimumPerChunk: CPUBackend.elementwiseChunk) { range in
            forEachBlock(in: range, g) { block, lo, hi in
                let c = block % g.channels
                let inv = ip[c], mu = mp[c], scale = gp[c] * inv
                let meanDy = training ? Float(totals[c]) * inverseCount : 0
                let meanDyXhat = training ? Float(totals[g.channels + c]) * inv * inverseCount * inv : 0
                let scale8 = SIMD8(repeating: scale), meanDy8 = SIMD8(repeating: meanDy)
                let mu8 = SIMD8(repeating: mu), meanDyXhat8 = SIMD8(repeating: meanDyXhat), zero = SIMD8<Float>()
                let negative8 = SIMD8(repeating: negativeScale)
                var i = lo
                while i + 8 <= hi {
                    var g = load8(dyp, i)
                    if let yp { g.replace(with: g * negative8, where: load8(yp, i) .<= zero) }
                    store8(dxp, i, scale8 * (g - meanDy8 - (load8(xp, i) - mu8) * meanDyXhat8))
                    i += 8
                }
                while i < hi {
                    let g = yp.map { $0[i] > 0 ? dyp[i] : dyp[i] * negativeScale } ?? dyp[i]
                    dxp[i] = scale * (g - meanDy - (xp[i] - mu) * meanDyXhat)
                    i += 1
                }
            }
        }
        return (dx, sumDyXhat, sumDy)
    }
}

/// Calls `body(block, lo, hi)` for the parts of the (outer·C) blocks of `inner` floats that fall in
/// `range`, so that elementwise passes split evenly over threads whatever the block size.
@inline(__always)
private func forEachBlock(in range: Range<Int>, _ g: NormGeometry, _ body: (Int, Int, Int) -> Void) {
    var i = range.lowerBound
    while i < range.upperBound {
        let block = i / g.inner
        let end = min(range.upperBound, (block + 1) * g.inner)
        body(block, i, end)
        i = end
    }
}

// Reductions in eight lanes (SIMD8.swift): a plain Float loop cannot be vectorised (its additions must
// stay in order), and these sums are a large share of batch norm's time. Partial sums go to Double per block.

private func blockSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var total = 0.0, start = 0
    while start < n {
        let end = min(n, start + 4096)
        var lanes = SIMD8<Float>(), i = start
        while i + 8 <= end { lanes += load8(p, i); i += 8 }
        var partial = lanes.sum()
        while i < end { partial += p[i]; i += 1 }
        total += Double(partial)
        start = end
    }
    return total
}

private func blockSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, _ mu: Float) -> Double {
    var total = 0.0, start = 0
    while start < n {
        let end = min(n, start + 4096)
        var lanes = SIMD8<Float>(), i = start
        let m = SIMD8<Float>(repeating: mu)
        while i + 8 <= end { let d = load8(p, i) - m; lanes += d * d; i += 8 }
        var partial = lanes.sum()
        while i < end { let d = p[i] - mu; partial += d * d; i += 1 }
        total += Double(partial)
        start = end
    }
    return total
}

/// Σ g and Σ g·(x − μ) over a block, g = dy, times `negativeScale` where y ≤ 0 when y is given.
private func blockGradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?,
                               _ negativeScale: Float, _ n: Int, _ mu: Float) -> (Double, Double) {
    var a = 0.0, b = 0.0, start = 0
    let m = SIMD8<Float>(repeating: mu), zero = SIMD8<Float>(), negative = SIMD8<Float>(repeating: negativeScale)
    while start < n {
        let end = min(n, start + 4096)
        var la = SIMD8<Float>(), lb = SIMD8<Float>(), i = start
        while i + 8 <= end {
            var g = load8(dy, i)
            if let y { g.replace(with: g * negative, where: load8(y, i) .<= zero) }
            la += g
            lb += g * (load8(x, i) - m)
            i += 8
        }
        var pa = la.sum(), pb = lb.sum()
        while i < end {
            let g = y.map { $0[i] > 0 ? dy[i] : dy[i] * negativeScale } ?? dy[i]
            pa += g; pb += g * (x[i] - mu)
            i += 1
        }
        a += Double(pa); b += Double(pb)
        start = end
    }
    return (a, b)
}
