import Foundation

/// log softmax over the last dimension of logits [N, K].
public func logSoftmax(_ x: Variable) throws -> Variable {
    guard x.shape.count == 2 else { throw EngineError.invalid("log softmax", "input must be [N, K], got \(describe(x.shape))") }
    let (n, k) = (x.shape[0], x.shape[1])
    var y = Tensor(uninitialized: x.shape)
    logSoftmaxRows(x.value.pointer, y.mutablePointer(), rows: n, columns: k)
    return Variable.result(y, parents: [x]) { [y] dy in
        // dx = dy − softmax · Σ dy, per row.
        var dx = Tensor(uninitialized: x.shape)
        let dxp = dx.mutablePointer(), dyp = dy.pointer, yp = y.pointer
        for r in 0..<n {
            var total: Float = 0
            for j in 0..<k { total += dyp[r * k + j] }
            for j in 0..<k { dxp[r * k + j] = dyp[r * k + j] - exp(yp[r * k + j]) * total }
        }
        x.accumulate(dx)
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

/// Mean cross-entropy of logits [N, K] against target distributions [N, K] (soft targets, e.g. from mixup);
/// with label smoothing ε each target becomes (1 − ε)·target + ε/K, as PyTorch's F.cross_entropy.
public func crossEntropy(_ logits: Variable, targetDistribution target: Tensor, labelSmoothing: Float = 0) throws -> Variable {
    let op = "cross entropy"
    guard logits.shape.count == 2 else { throw EngineError.invalid(op, "logits must be [N, K], got \(describe(logits.shape))") }
    guard target.shape == logits.shape else {
        throw EngineError.shapeMismatch(op, "target distribution shape differs from logits", target.shape, logits.shape)
    }
    guard labelSmoothing >= 0, labelSmoothing <= 1 else {
        throw EngineError.invalid(op, "label smoothing must be in [0, 1], got \(labelSmoothing)")
    }
    let (n, k) = (logits.shape[0], logits.shape[1])
    guard n > 0 else { throw EngineError.invalid(op, "empty batch") }
    var q = target
    let qp = q.mutablePointer()
    if labelSmoothing > 0 {
        for i in 0..<q.count { qp[i] = qp[i] * (1 - labelSmoothing) + labelSmoothing / Float(k) }
    }
    var logp = Tensor(uninitialized: logits.shape)
    logSoftmaxRows(logits.value.pointer, logp.mutablePointer(), rows: n, columns: k)
    var total: Double = 0
    let lp = logp.pointer
    for i in 0..<(n * k) where qp[i] != 0 { total -= Double(qp[i] * lp[i]) }
    let loss = try! Tensor(shape: [], values: [Float(total / Double(n))])
    return Variable.result(loss, parents: [logits]) { [logp, q] dy in
        // d/dz of −Σ q·log softmax(z) is softmax(z)·Σq − q; targets sum to one per row.
        let g = dy.scalar / Float(n)
        var dx = Tensor(uninitialized: logits.shape)
        let dxp = dx.mutablePointer(), lp = logp.pointer, qp = q.pointer
        for r in 0..<n {
            var mass: Float = 0
            for j in 0..<k { mass += qp[r * k + j] }
            for j in 0..<k { dxp[r * k + j] = g * (exp(lp[r * k + j]) * mass - qp[r * k + j]) }
        }
        logits.accumulate(dx)
    }
}

/// Mean cross-entropy of logits [N, K] against class indices, with optional label smoothing.
public func crossEntropy(_ logits: Variable, labels: [Int], labelSmoothing: Float = 0) throws -> Variable {
    guard logits.shape.count == 2 else { throw EngineError.invalid("cross entropy", "logits must be [N, K], got \(describe(logits.shape))") }
    let (n, k) = (logits.shape[0], logits.shape[1])
    guard labels.count == n else {
        throw EngineError("cross entropy: \(labels.count) labels for logits of shape \(describe(logits.shape))")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= k }) {
        throw EngineError("cross entropy: label \(bad) is outside 0..<\(k) for logits of shape \(describe(logits.shape))")
    }
    return try crossEntropy(logits, targetDistribution: oneHot(labels, classes: k), labelSmoothing: labelSmoothing)
}

/// One-hot rows [N, K] for class indices.
public func oneHot(_ labels: [Int], classes: Int) -> Tensor {
    var t = Tensor(zeros: [labels.count, classes])
    let p = t.mutablePointer()
    for (row, label) in labels.enumerated() { p[row * classes + label] = 1 }
    return t
}
