/// Batch normalisation on the device: per-channel statistics and gradient sums in one block per
/// channel, the elementwise passes over the whole tensor. The running statistics passed in (a task's
/// own, when a model keeps them per task) are updated in place on the device. Synchronised batch norm
/// (statistics summed over data-parallel ranks through MPI, on the host) runs on the CPU backend with
/// host copies, its results copied back: correct, not fast.
extension CUDABackend {
    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, relu: Bool) -> BatchNormSaved {
        if g.ranks != nil {
            var (mean, variance) = (runningMean.to(.cpu), runningVar.to(.cpu))
            let saved = CPUBackend.shared.batchNormTraining(x.to(.cpu), weight: weight.to(.cpu), bias: bias.to(.cpu), runningMean: &mean,
                                                            runningVar: &variance, g, momentum: momentum, epsilon: epsilon, relu: relu)
            (runningMean, runningVar) = (here(mean), here(variance))
            return BatchNormSaved(output: here(saved.output), mean: here(saved.mean), inverseStd: here(saved.inverseStd), fusedReLU: relu)
        }
        let x = here(x)
        let mean = empty([g.channels]), variance = empty([g.channels]), inverseStd = empty([g.channels])
        run("batch_norm_statistics", blocks: g.channels, [
            x.address, mean.address, variance.address, inverseStd.address,
            .int(g.outer), .int(g.channels), .int(g.inner), .float(epsilon),
        ])
        runningMean = here(runningMean)
        runningVar = here(runningVar)
        let m = Double(g.valuesPerChannel)
        run("batch_norm_update_running", elements: g.channels, [
            .address(runningMean.mutableDeviceAddress()), .address(runningVar.mutableDeviceAddress()), mean.address, variance.address,
            .int(g.channels), .float(momentum), .float(Float(m / (m - 1))),
        ])
        let y = normalize(x, weight: weight, bias: bias, mean: mean, inverseStd: inverseStd, g, relu: relu)
        return BatchNormSaved(output: y, mean: mean, inverseStd: inverseStd, fusedReLU: relu)
    }

    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, relu: Bool) -> BatchNormSaved {
        let (mean, variance) = (here(runningMean), here(runningVar))
        let inverseStd = empty([g.channels])
        run("batch_norm_inverse_std", elements: g.channels, [variance.address, inverseStd.address, .int(g.channels), .float(epsilon)])
        let y = normalize(here(x), weight: weight, bias: bias, mean: mean, inverseStd: inverseStd, g, relu: relu)
        return BatchNormSaved(output: y, mean: mean, inverseStd: inverseStd, fusedReLU: relu)
    }

    /// The passes the training and evaluation ones ran: with synchronised statistics the CPU's, a leaky ReLU
    /// as a pass of its own (Backend's `finishing`).
    func batchNormNormalized(_ x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, inverseStd: Tensor,
                             _ g: NormGeometry, activation: Activation) -> Tensor {
        let relu = activation == .relu
        let y = g.ranks != nil
            ? here(CPUBackend.shared.batchNormNormalized(x.to(.cpu), weight: weight.to(.cpu), bias: bias.to(.cpu), mean: mean.to(.cpu),
                                                         inverseStd: inverseStd.to(.cpu), g, activation: relu ? .relu : .identity))
            : normalize(here(x), weight: weight, bias: bias, mean: here(mean), inverseStd: here(inverseStd), g, relu: relu)
        if case .leakyReLU(let slope) = activation { return leakyReLU(y, slope: slope) }
        return y
    }

    private func normalize(_ x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, inverseStd: Tensor,
                           _ g: NormGeometry, relu: Bool) -> Tensor {
        let (weight, bias) = (here(weight), here(bias))
        let y = empty(x.shape)
        run("batch_norm_normalize", elements: x.count, [
            x.address, y.address, weight.address, bias.address, mean.address, inverseStd.address,
            .int(g.outer), .int(g.channels), .int(g.inner), .int(relu ? 1 : 0),
        ])
        return y
    }

    func batchNormBackward(_ dy: Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                           training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        if training && g.ranks != nil {
            let host = BatchNormSaved(output: saved.output.to(.cpu), mean: saved.mean.to(.cpu), inverseStd: saved.inverseStd.to(.cpu),
                                      fusedReLU: saved.fusedReLU)
            let grads = CPUBackend.shared.batchNormBackward(dy.to(.cpu), x: x.to(.cpu), weight: weight.to(.cpu), saved: host, g,
                                                            training: training, wantsInput: wantsInput)
            return (grads.input.map(here), here(grads.weight), here(grads.bias))
        }
        let (dy, x) = (here(dy), here(x))
        let sumDy = empty([g.channels]), sumDyXhat = empty([g.channels])
        // Without a fused ReLU the output is not read; x stands in as a valid address.
        let output = saved.fusedReLU ? here(saved.output) : x
        let sizes: [KernelArgument] = [.int(g.outer), .int(g.channels), .int(g.inner), .int(saved.fusedReLU ? 1 : 0)]
        run("batch_norm_gradient_sums", blocks: g.channels, [
            dy.address, x.address, output.address, saved.mean.address, saved.inverseStd.address, sumDy.address, sumDyXhat.address,
        ] + sizes)
        guard wantsInput else { return (nil, sumDyXhat, sumDy) }
        let dx = empty(x.shape), weight = here(weight)
        run("batch_norm_input_gradient", elements: x.count, [
            dy.address, x.address, output.address, saved.mean.address, saved.inverseStd.address, weight.address,
            sumDy.address, sumDyXhat.address, dx.address,
        ] + sizes + [.int(training ? 1 : 0)])
        return (dx, sumDyXhat, sumDy)
    }
}
