/// Batch normalisation over the channels of x [N, C] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d, computed in
/// the layout x lies in, which the output keeps). In training it normalises with the batch statistics and updates the
/// running mean and the unbiased running variance with `momentum`, exactly as PyTorch; in evaluation it
/// uses the running ones. With `relu` the result goes through max(·, 0) in the same pass (forward and backward).
/// With `synchronizedAcross`, training statistics span the batches of every rank of that world (SyncBatchNorm),
/// and the input gradient is that of the loss summed over ranks; weight and bias gradients stay this rank's share.
public func batchNorm(_ x: Variable, weight: Variable, bias: Variable,
                      runningMean: Variable, runningVar: Variable,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
                      relu: Bool = false, synchronizedAcross world: World? = nil) throws -> Variable {
    try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, training: training,
                  momentum: momentum, epsilon: epsilon, activation: relu ? .relu : .identity,
                  synchronizedAcross: world)
}

/// activation(batch norm(x) + residual) in the same passes, forward and backward: a residual block's end
/// keeps one activation instead of three (a leaky ReLU's slope must be positive: its output then tells
/// where its input was).
public func batchNorm(_ x: Variable, weight: Variable, bias: Variable, runningMean: Variable, runningVar: Variable,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
                      activation: Activation, adding residual: Variable? = nil,
                      synchronizedAcross world: World? = nil) throws -> Variable {
    if case .leakyReLU(let slope) = activation, !(slope > 0) {
        throw EngineError.invalid("batch norm", "a fused leaky ReLU needs a positive slope, got \(slope)")
    }
    let layout = x.value.layout
    var g = try normGeometry(x.shape, layout: layout, training: training)
    if training, let world, world.size > 1 { g.ranks = world }
    for (name, v) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)]
    where v.shape != [g.channels] {
        throw EngineError.shapeMismatch("batch norm", "\(name) must have one value per input channel", v.shape, [g.channels])
    }
    if let residual, residual.shape != x.shape {
        throw EngineError.shapeMismatch("batch norm", "the residual must have the input's shape", residual.shape, x.shape)
    }
    // The kernels see x as it lies in memory; the residual joins it in the same layout.
    let backend = x.value.backend, input = x.value.memory, added = residual?.value.inLayout(layout).memory
    let saved = training
        ? backend.batchNormTraining(input, weight: weight.value, bias: bias.value, runningMean: &runningMean.value,
                                    runningVar: &runningVar.value, g, momentum: momentum, epsilon: epsilon, activation: activation,
                                    residual: added)
        : backend.batchNormEvaluation(input, weight: weight.value, bias: bias.value, runningMean: runningMean.value,
                                      runningVar: runningVar.value, g, epsilon: epsilon, activation: activation,
                                      residual: added)
    // The closures keep the statistics, not the output: the output may be released and recomputed from x.
    let (mean, inverseStd, fusedReLU, leakySlope) = (saved.mean, saved.inverseStd, saved.fusedReLU, saved.leakySlope)
    let (gamma, beta) = (weight.value, bias.value)
    let recompute: (() -> Tensor)? = residual != nil ? nil : {
        backend.batchNormNormalized(x.value.memory, weight: gamma, bias: beta, mean: mean, inverseStd: inverseStd, g,
                                    activation: activation).laidOut(as: layout)
    }
    return Variable.result(saved.output.laidOut(as: layout), parents: [x, weight, bias] + (residual.map { [$0] } ?? []),
                           recompute: recompute) { dy, node in
        // Only an activation's mask reads the output; without one, x stands in for it unread.
        let output = (activation == .identity ? x.value : node.value).memory
        // dy lies as the output does; seen as memory in place, so that the kernel may still reuse its buffer.
        dy = dy.memory
        if let residual, residual.requiresGrad {
            // The sum passes the activation's gradient on unchanged; the output tells where it was clipped.
            let passed = activation.slope.map { backend.leakyReLUBackward(dy, input: output, slope: $0) } ?? dy
            residual.accumulate(passed.laidOut(as: layout))
        }
        let saved = BatchNormSaved(output: output, mean: mean, inverseStd: inverseStd, fusedReLU: fusedReLU, leakySlope: leakySlope)
        let grads = backend.batchNormActivationBackward(&dy, x: x.value.memory, weight: weight.value, saved: saved, g,
                                                        training: training, wantsInput: x.requiresGrad)
        if let dx = grads.input { x.accumulate(dx.laidOut(as: layout)) }
        weight.accumulate(grads.weight)
        bias.accumulate(grads.bias)
    }
}

/// Checks a batch norm's input shape ([N, C] or [N, C, H, W]) and derives where each channel's values lie in `layout`.
private func normGeometry(_ shape: [Int], layout: ImageLayout, training: Bool) throws -> NormGeometry {
    let op = "batch norm"
    guard shape.count == 2 || shape.count == 4 else {
        throw EngineError.invalid(op, "input must be [N, C] or [N, C, H, W], got \(describe(shape))")
    }
    let area = shape.count == 4 ? shape[2] * shape[3] : 1
    let g = shape.count == 4 && layout == .cnhw
        ? NormGeometry(outer: 1, channels: shape[1], inner: shape[0] * area)
        : NormGeometry(outer: shape[0], channels: shape[1], inner: area)
    if training && g.valuesPerChannel < 2 {
        throw EngineError.invalid(op, "training needs more than one value per channel, got input \(describe(shape))")
    }
    return g
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
    /// When set, training computes the statistics over the batches of all ranks of this world (synchronised
    /// batch norm): its model's `EngineContext` in a data-parallel job with synchronised batch norm.
    public var synchronizedAcross: World?

    public init(_ channels: Int) {
        weight = Variable(Tensor(shape: [channels], repeating: 1), requiresGrad: true)
        bias = Variable(Tensor(zeros: [channels]), requiresGrad: true)
        weight.isBiasOrNorm = true
        bias.isBiasOrNorm = true
        runningMean = Variable(Tensor(zeros: [channels]))
        runningVar = Variable(Tensor(shape: [channels], repeating: 1))
    }

    public func callAsFunction(_ x: Variable) throws -> Variable { try callAsFunction(x, relu: false) }

    /// Normalises x, then applies ReLU in the same pass when `relu`.
    public func callAsFunction(_ x: Variable, relu: Bool) throws -> Variable {
        try callAsFunction(x, activation: relu ? .relu : .identity)
    }

    /// Normalises x, adds `residual` when given, then applies `activation`, all in the same pass.
    public func callAsFunction(_ x: Variable, activation: Activation, adding residual: Variable? = nil) throws -> Variable {
        try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                      training: training, momentum: momentum, epsilon: epsilon, activation: activation,
                      adding: residual, synchronizedAcross: synchronizedAcross)
    }

    public func setTraining(_ training: Bool) { self.training = training }

    public func use(_ context: EngineContext) { synchronizedAcross = context.batchNormWorld }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        [NamedVariable(name: qualified(prefix, "weight"), variable: weight, isBuffer: false),
         NamedVariable(name: qualified(prefix, "bias"), variable: bias, isBuffer: false),
         NamedVariable(name: qualified(prefix, "running_mean"), variable: runningMean, isBuffer: true),
         NamedVariable(name: qualified(prefix, "running_var"), variable: runningVar, isBuffer: true)]
    }
}
