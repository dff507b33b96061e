import Foundation

/// log softmax over the last dimension of logits [N, K].
public func logSoftmax(_ x: Variable) throws -> Variable {
    guard x.shape.count == 2 else { throw EngineError.invalid("log softmax", "input must be [N, K], got \(describe(x.shape))") }
    let backend = x.value.backend
    let y = backend.logSoftmax(x.value)
    return Variable.result(y, parents: [x]) { dy in
        x.accumulate(backend.logSoftmaxBackward(dy, output: y))
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
    guard logits.shape[0] > 0 else { throw EngineError.invalid(op, "empty batch") }
    let backend = logits.value.backend
    let q = labelSmoothing > 0 ? backend.smoothLabels(target, epsilon: labelSmoothing) : target
    let (loss, logp) = backend.crossEntropy(logits.value, target: q)
    return Variable.result(try! Tensor(shape: [], values: [loss]), parents: [logits]) { dy in
        logits.accumulate(backend.crossEntropyBackward(dy.scalar, logSoftmax: logp, target: q))
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
