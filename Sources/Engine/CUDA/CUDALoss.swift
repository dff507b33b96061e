/// Softmax-family losses on the device, one thread per row; the loss itself comes back to the host
/// as one float per row (the metric out), summed there in double precision as on the CPU.
extension CUDABackend {
    func logSoftmax(_ x: Tensor) -> Tensor {
        let x = here(x), y = empty(x.shape)
        run("log_softmax_rows", elements: x.shape[0], [x.address, y.address, .int(x.shape[0]), .int(x.shape[1])])
        return y
    }

    func logSoftmaxBackward(_ dy: Tensor, output y: Tensor) -> Tensor {
        let (dy, y) = (here(dy), here(y))
        let dx = empty(y.shape)
        run("log_softmax_backward", elements: y.shape[0], [dy.address, y.address, dx.address, .int(y.shape[0]), .int(y.shape[1])])
        return dx
    }

    func crossEntropy(_ logits: Tensor, target q: Tensor) -> (loss: Float, logSoftmax: Tensor) {
        let logp = logSoftmax(logits), q = here(q)
        let rows = logp.shape[0], rowLoss = empty([rows])
        run("cross_entropy_rows", elements: rows, [logp.address, q.address, rowLoss.address, .int(rows), .int(logp.shape[1])])
        let total = rowLoss.scalars.reduce(0.0) { $0 + Double($1) }
        return (Float(total / Double(rows)), logp)
    }

    func crossEntropyBackward(_ dLoss: Float, logSoftmax logp: Tensor, target q: Tensor) -> Tensor {
        let (logp, q) = (here(logp), here(q))
        let (n, k) = (logp.shape[0], logp.shape[1])
        let dx = empty(logp.shape)
        run("cross_entropy_backward", elements: n, [logp.address, q.address, dx.address, .float(dLoss / Float(n)), .int(n), .int(k)])
        return dx
    }

    func smoothLabels(_ q: Tensor, epsilon: Float) -> Tensor {
        let q = here(q), y = empty(q.shape)
        run("smooth_labels", elements: q.count, [q.address, y.address, .float(epsilon), .int(q.shape[1]), .int(q.count)])
        return y
    }
}
