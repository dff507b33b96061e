import Foundation

/// Softmax-family losses on the CPU, row by row over [N, K] logits.
extension CPUBackend {
    func logSoftmax(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        logSoftmaxRows(x.pointer, y.mutablePointer(), rows: x.shape[0], columns: x.shape[1])
        return y
    }

    func logSoftmaxBackward(_ dy: Tensor, output y: Tensor) -> Tensor {
        // dx = dy − softmax · Σ dy, per row.
        let (n, k) = (y.shape[0], y.shape[1])
        var dx = Tensor(uninitialized: y.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer, yp = y.pointer
        for r in 0..<n {
            var total: Float = 0
            for j in 0..<k { total += dyp[r * k + j] }
            for j in 0..<k { dxp[r * k + j] = dyp[r * k + j] - exp(yp[r * k + j]) * total }
        }
        return dx
    }

    func crossEntropy(_ logits: Tensor, target q: Tensor) -> (loss: Float, logSoftmax: Tensor) {
        let logp = logSoftmax(logits)
        var total: Double = 0
        let lp = logp.pointer, qp = q.pointer
        for i in 0..<q.count where qp[i] != 0 { total -= Double(qp[i] * lp[i]) }
        return (Float(total / Double(logits.shape[0])), logp)
    }

    func crossEntropyBackward(_ dLoss: Float, logSoftmax logp: Tensor, target q: Tensor) -> Tensor {
        // d/dz of −Σ q·log softmax(z) is softmax(z)·Σq − q, divided by N for the mean.
        let (n, k) = (logp.shape[0], logp.shape[1])
        let g = dLoss / Float(n)
        var dx = Tensor(uninitialized: logp.shape)
        let dxp = dx.mutablePointer(), lp = logp.pointer, qp = q.pointer
        for r in 0..<n {
            var mass: Float = 0
            for j in 0..<k { mass += qp[r * k + j] }
            for j in 0..<k { dxp[r * k + j] = g * (exp(lp[r * k + j]) * mass - qp[r * k + j]) }
        }
        return dx
    }

    func smoothLabels(_ q: Tensor, epsilon: Float) -> Tensor {
        let k = Float(q.shape[1])
        var y = Tensor(uninitialized: q.shape)
        let qp = q.pointer, yp = y.mutablePointer()
        for i in 0..<q.count { yp[i] = qp[i] * (1 - epsilon) + epsilon / k }
        return y
    }
}

/// Row-wise log softmax of a row-major [rows, columns] matrix, stable for large logits.
func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    for r in 0..<rows {
        let row = x + r * columns, out = y + r * columns
        var top = -Float.infinity
        for j in 0..<columns { top = max(top, row[j]) }
        var sum: Float = 0
        for j in 0..<columns { sum += exp(row[j] - top) }
        let logSum = top + log(sum)
        for j in 0..<columns { out[j] = row[j] - logSum }
    }
}
