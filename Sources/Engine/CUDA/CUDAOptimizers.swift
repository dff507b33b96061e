import Foundation

/// Parameter updates on the device, in place; the optimiser state lives beside the weights.
extension CUDABackend {
    func sgdStep(weight: inout Tensor, gradient: Tensor, velocity: inout Tensor?, _ p: SGDStepParameters) {
        weight = here(weight)
        let g = here(gradient), n = g.count, w = weight.mutableDeviceAddress()
        let hasMomentum = p.momentum != 0, first = velocity == nil
        var buffer: DeviceAddress?
        if hasMomentum {
            velocity = first ? empty(g.shape) : here(velocity!)
            buffer = velocity!.mutableDeviceAddress()
        }
        run("sgd_step", elements: n, [
            .address(w), g.address, .address(buffer), .int(n),
            .float(p.learningRate), .float(p.momentum), .float(p.dampening), .float(p.weightDecay),
            .int(p.nesterov ? 1 : 0), .int(hasMomentum ? 1 : 0), .int(first ? 1 : 0),
        ])
    }

    func adamWStep(weight: inout Tensor, gradient: Tensor, m: inout Tensor, v: inout Tensor, _ p: AdamWStepParameters) {
        (weight, m, v) = (here(weight), here(m), here(v))
        let g = here(gradient), n = g.count
        let correction1 = 1 - Float(pow(Double(p.beta1), Double(p.step)))
        let correction2Root = Float((1 - pow(Double(p.beta2), Double(p.step))).squareRoot())
        run("adamw_step", elements: n, [
            .address(weight.mutableDeviceAddress()), g.address, .address(m.mutableDeviceAddress()), .address(v.mutableDeviceAddress()), .int(n),
            .float(p.learningRate), .float(p.beta1), .float(p.beta2), .float(p.epsilon), .float(p.weightDecay),
            .float(p.learningRate / correction1), .float(correction2Root),
        ])
    }
}
