/// Pooling on the CPU, one plane (image, channel) at a time, in parallel over planes.
extension CPUBackend {
    func maxPool2d(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
        var y = Tensor(uninitialized: g.outputShape)
        let xp = x.pointer, yp = y.mutablePointer()
        let inArea = g.height * g.width, outArea = g.outH * g.outW
        parallelFor(g.planes, elementsPerItem: inArea, perChunk: Self.kernelChunk) { plane in
            let src = xp + plane * inArea, dst = yp + plane * outArea
            if g.isPlain2x2 { return maxPool2x2(src, dst, g) }
            maxPoolPlane(src, dst, g)
        }
        return y
    }

    func maxPool2dBackward(_ dy: Tensor, x: Tensor, _ g: PoolGeometry) -> Tensor {
        var dx = Tensor(uninitialized: g.inputShape)
        let xp = x.pointer, dyp = dy.pointer, dxp = dx.mutablePointer()
        let inArea = g.height * g.width, outArea = g.outH * g.outW
        parallelFor(g.planes, elementsPerItem: inArea) { plane in
            let src = xp + plane * inArea, dst = dxp + plane * inArea, grad = dyp + plane * outArea
            if g.isPlain2x2 { return maxPool2x2Backward(src, grad, dst, g) }
            maxPoolPlaneBackward(src, grad, dst, g)
        }
        return dx
    }

    func avgPool2d(_ x: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        var y = Tensor(uninitialized: g.outputShape)
        let xp = x.pointer, yp = y.mutablePointer()
        let inArea = g.height * g.width, outArea = g.outH * g.outW
        parallelFor(g.planes, elementsPerItem: inArea) { plane in
            let src = xp + plane * inArea, dst = yp + plane * outArea
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let w = g.averageWindow(oh, ow, countIncludePad: countIncludePad)
                    var sum: Float = 0
                    for ih in w.h0..<w.h1 { for iw in w.w0..<w.w1 { sum += src[ih * g.width + iw] } }
                    dst[oh * g.outW + ow] = sum / w.divisor
                }
            }
        }
        return y
    }

    func avgPool2dBackward(_ dy: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        var dx = Tensor(zeros: g.inputShape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer
        let inArea = g.height * g.width, outArea = g.outH * g.outW
        parallelFor(g.planes, elementsPerItem: inArea) { plane in
            let dst = dxp + plane * inArea, src = dyp + plane * outArea
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let w = g.averageWindow(oh, ow, countIncludePad: countIncludePad)
                    let share = src[oh * g.outW + ow] / w.divisor
                    for ih in w.h0..<w.h1 { for iw in w.w0..<w.w1 { dst[ih * g.width + iw] += share } }
                }
            }
        }
        return dx
    }

    func globalAvgPool(_ x: Tensor, layout: ImageLayout) -> Tensor {
        let (n, c) = layout.batchAndChannels(x.shape), area = x.shape[2] * x.shape[3]
        var y = Tensor(uninitialized: [n, c])
        let xp = x.pointer, yp = y.mutablePointer()
        let inverse = 1 / Float(area)
        parallelFor(n * c, minimumPerChunk: 64) { plane in
            var sum: Float = 0
            let src = xp + plane * area
            for i in 0..<area { sum += src[i] }
            // Plane p holds (n, c) = (p / C, p % C) in NCHW and (p % N, p / N) in CNHW.
            let out = layout == .nchw ? plane : (plane % n) * c + plane / n
            yp[out] = sum * inverse
        }
        return y
    }

    func globalAvgPoolBackward(_ dy: Tensor, inputShape: [Int], layout: ImageLayout) -> Tensor {
        let (n, c) = layout.batchAndChannels(inputShape), area = inputShape[2] * inputShape[3]
        var dx = Tensor(uninitialized: inputShape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer
        let inverse = 1 / Float(area)
        parallelFor(n * c, minimumPerChunk: 64) { plane in
            let source = layout == .nchw ? plane : (plane % n) * c + plane / n
            (dxp + plane * area).update(repeating: dyp[source] * inverse, count: area)
        }
        return dx
    }
}

/// Index within its plane of the largest input under output (oh, ow)'s window: the first one on ties,
/// and a NaN wins as in PyTorch. Forward and backward both call this, so they agree on the winner.
@inline(__always)
func maxPoolWinner(_ src: UnsafePointer<Float>, _ oh: Int, _ ow: Int, _ g: PoolGeometry) -> Int {
    let h0 = max(0, oh * g.strideH - g.padH), h1 = min(g.height, oh * g.strideH - g.padH + g.kernelH)
    let w0 = max(0, ow * g.strideW - g.padW), w1 = min(g.width, ow * g.strideW - g.padW + g.kernelW)
    var best = -Float.infinity, bestIndex = h0 * g.width + w0
    for ih in h0..<h1 {
        let row = ih * g.width
        for iw in w0..<w1 where !(src[row + iw] <= best) {
            best = src[row + iw]
            bestIndex = row + iw
        }
    }
    return bestIndex
}

/// Any window on one plane. The output columns whose windows lie inside the input's width (all but one
/// or two at each edge) are folded a window tap at a time across the row, as selects that vectorise, in
/// the order `maxPoolWinner` visits the taps, so the values are its winners' (`maxPoolWinner` per column
/// branches on the data, which makes ResNet's 3×3, stride-2 stem pool a visible share of a forward pass).
func maxPoolPlane(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ g: PoolGeometry) {
    let lo = min(g.outW, (g.padW + g.strideW - 1) / g.strideW)  // first ow with ow·stride − pad ≥ 0
    let lastStart = g.width + g.padW - g.kernelW  // the window starting at ow·stride must end inside
    let hi = lastStart < 0 ? lo : max(lo, min(g.outW, lastStart / g.strideW + 1))
    for oh in 0..<g.outH {
        let out = dst + oh * g.outW
        for ow in 0..<lo { out[ow] = src[maxPoolWinner(src, oh, ow, g)] }
        for ow in hi..<g.outW { out[ow] = src[maxPoolWinner(src, oh, ow, g)] }
        guard lo < hi else { continue }
        (out + lo).update(repeating: -.infinity, count: hi - lo)
        for ih in max(0, oh * g.strideH - g.padH)..<min(g.height, oh * g.strideH - g.padH + g.kernelH) {
            let row = src + ih * g.width - g.padW
            for kj in 0..<g.kernelW {
                for ow in lo..<hi {
                    let v = row[ow * g.strideW + kj], best = out[ow]
                    out[ow] = !(v <= best) ? v : best
                }
            }
        }
    }
}

/// Any window on one plane: dst (zeroed here) gets each window's gradient at its winner. The winners of
/// the columns whose windows lie inside the width are found eight at a time, as selects over the taps in
/// `maxPoolWinner`'s order (its branches on the data mispredict); the gradients are then added column by
/// column, as at the edges.
func maxPoolPlaneBackward(_ src: UnsafePointer<Float>, _ grad: UnsafePointer<Float>,
                          _ dst: UnsafeMutablePointer<Float>, _ g: PoolGeometry) {
    dst.update(repeating: 0, count: g.height * g.width)
    let lo = min(g.outW, (g.padW + g.strideW - 1) / g.strideW)
    let lastStart = g.width + g.padW - g.kernelW
    let hi = lastStart < 0 ? lo : max(lo, min(g.outW, lastStart / g.strideW + 1))
    let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(g.strideW)
    for oh in 0..<g.outH {
        let gRow = grad + oh * g.outW
        let h0 = max(0, oh * g.strideH - g.padH), h1 = min(g.height, oh * g.strideH - g.padH + g.kernelH)
        var ow = 0
        while ow < g.outW {
            guard ow >= lo && ow < hi && hi - lo >= 8 else {
                dst[maxPoolWinner(src, oh, ow, g)] += gRow[ow]
                ow += 1
                continue
            }
            // The last eight interior columns overlap the previous eight; only the new ones get their gradient.
            let start = min(ow, hi - 8), w0 = start * g.strideW - g.padW
            var best = SIMD8<Float>(repeating: -.infinity), index = SIMD8<Int32>(repeating: Int32(h0 * g.width + w0)) &+ lane
            for ih in h0..<h1 {
                for kj in 0..<g.kernelW {
                    let at = SIMD8<Int32>(repeating: Int32(ih * g.width + w0 + kj)) &+ lane
                    var v = SIMD8<Float>()
                    for l in 0..<8 { v[l] = src[Int(at[l])] }
                    let wins = .!(v .<= best)
                    best.replace(with: v, where: wins)
                    index.replace(with: at, where: wins)
                }
            }
            for l in (ow - start)..<8 { dst[Int(index[l])] += gRow[start + l] }
            ow = start + 8
        }
    }
}

// The common 2×2, stride-2 window on one plane, written as selects so that the loops vectorise. The
// winner is the first largest of top-left, top-right, bottom-left, bottom-right (a NaN wins), as above.

private func maxPool2x2(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ g: PoolGeometry) {
    for oh in 0..<g.outH {
        let top = src + 2 * oh * g.width, bottom = top + g.width, out = dst + oh * g.outW
        for ow in 0..<g.outW {
            var best = top[2 * ow]
            best = !(top[2 * ow + 1] <= best) ? top[2 * ow + 1] : best
            best = !(bottom[2 * ow] <= best) ? bottom[2 * ow] : best
            best = !(bottom[2 * ow + 1] <= best) ? bottom[2 * ow + 1] : best
            out[ow] = best
        }
    }
}

/// Writes every input position of the plane: the gradient at each window's winner, zero elsewhere
/// (an odd last row or column belongs to no window). The compiler vectorises the forward loop but not
/// a scalar version of this one: it turns the selects into branches on the data, whose mispredictions
/// make this a large share of a small net's training step. So eight windows at a time are
/// split into their four corners (`loadPairs8`) and compared as lane-wise selects; the tail is scalar.
private func maxPool2x2Backward(_ src: UnsafePointer<Float>, _ grad: UnsafePointer<Float>,
                                _ dst: UnsafeMutablePointer<Float>, _ g: PoolGeometry) {
    let vectorEnd = g.outW & ~7, zero = SIMD8<Float>()
    for oh in 0..<g.outH {
        let top = src + 2 * oh * g.width, bottom = top + g.width
        let dTop = dst + 2 * oh * g.width, dBottom = dTop + g.width, gRow = grad + oh * g.outW
        for ow in stride(from: 0, to: vectorEnd, by: 8) {
            let (a, b) = loadPairs8(top, 2 * ow), (c, d) = loadPairs8(bottom, 2 * ow)
            var best = a
            let bWins = .!(b .<= best); best.replace(with: b, where: bWins)
            let cWins = .!(c .<= best); best.replace(with: c, where: cWins)
            let dWins = .!(d .<= best)
            let cKept = cWins .& .!dWins, bKept = bWins .& .!(cWins .| dWins), aKept = .!(bWins .| cWins .| dWins)
            let v = load8(gRow, ow)
            storePairs8(dTop, 2 * ow, zero.replacing(with: v, where: aKept), zero.replacing(with: v, where: bKept))
            storePairs8(dBottom, 2 * ow, zero.replacing(with: v, where: cKept), zero.replacing(with: v, where: dWins))
        }
        for ow in vectorEnd..<g.outW {
            let a = top[2 * ow], b = top[2 * ow + 1], c = bottom[2 * ow], d = bottom[2 * ow + 1]
            var best = a, k: Int32 = 0
            let bWins = !(b <= best); best = bWins ? b : best; k = bWins ? 1 : k
            let cWins = !(c <= best); best = cWins ? c : best; k = cWins ? 2 : k
            k = !(d <= best) ? 3 : k
            let v = gRow[ow]
            dTop[2 * ow] = k == 0 ? v : 0
            dTop[2 * ow + 1] = k == 1 ? v : 0
            dBottom[2 * ow] = k == 2 ? v : 0
            dBottom[2 * ow + 1] = k == 3 ? v : 0
        }
        for col in 2 * g.outW..<g.width { dTop[col] = 0; dBottom[col] = 0 }
    }
    for row in 2 * g.outH..<g.height { (dst + row * g.width).update(repeating: 0, count: g.width) }
}
