import Foundation

/// Parameter updates on the CPU, in place, one pass per parameter.
extension CPUBackend {
    func sgdStep(weight: inout Tensor, gradient: Tensor, velocity: inout Tensor?, _ p: SGDStepParameters) {
        let n = gradient.count
        let w = weight.mutablePointer(), g = gradient.pointer
        let (decay, mu, lr) = (p.weightDecay, p.momentum, p.learningRate)
        guard mu != 0 else {
            for i in 0..<n { w[i] -= lr * (g[i] + decay * w[i]) }
            return
        }
        // PyTorch's first step starts the buffer at the gradient itself (no dampening).
        let first = velocity == nil
        if first { velocity = Tensor(uninitialized: gradient.shape) }
        let b = velocity!.mutablePointer()
        let take = 1 - p.dampening, nesterov = p.nesterov
        // Eight lanes at a time (the compiler does not vectorise the scalar loop), with the same operations in
        // the same order per element as the scalar tail.
        let decay8 = SIMD8(repeating: decay), mu8 = SIMD8(repeating: mu), lr8 = SIMD8(repeating: lr)
        let take8 = SIMD8(repeating: take)
        var i = 0
        while i + 8 <= n {
            let w8 = load8(w, i), d = load8(g, i) + decay8 * w8
            let v = first ? d : mu8 * load8(b, i) + take8 * d
            store8(b, i, v)
            store8(w, i, w8 - lr8 * (nesterov ? d + mu8 * v : v))
            i += 8
        }
        while i < n {
            let d = g[i] + decay * w[i]
            let v = first ? d : mu * b[i] + take * d
            b[i] = v
            w[i] -= lr * (nesterov ? d + mu * v : v)
            i += 1
        }
    }

    func adamWStep(weight: inout Tensor, gradient: Tensor, m: inout Tensor, v: inout Tensor, _ p: AdamWStepParameters) {
        let n = gradient.count
        let w = weight.mutablePointer(), g = gradient.pointer, mp = m.mutablePointer(), vp = v.mutablePointer()
        let correction1 = 1 - Float(pow(Double(p.beta1), Double(p.step)))
        let correction2Root = Float((1 - pow(Double(p.beta2), Double(p.step))).squareRoot())
        let stepSize = p.learningRate / correction1
        for i in 0..<n {
            w[i] *= 1 - p.learningRate * p.weightDecay
            mp[i] = p.beta1 * mp[i] + (1 - p.beta1) * g[i]
            vp[i] = p.beta2 * vp[i] + (1 - p.beta2) * g[i] * g[i]
            w[i] -= stepSize * mp[i] / (vp[i].squareRoot() / correction2Root + p.epsilon)
        }
    }
}
