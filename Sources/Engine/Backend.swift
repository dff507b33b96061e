/// The kernels that ops are built from, one conformance per device (`Device.backend`).
///
/// An op (conv2d, batchNorm, …) checks its shapes, calls its backend's forward kernel, and records a
/// backward closure that calls the matching backward kernel on *tensors*, never on raw pointers, so
/// the same op runs on any device and its saved values live wherever the device keeps them.
///
/// Adding an op: write its kernels here and in every backend, then the op beside its siblings in
/// Sources/Engine. Adding a backend: a `Device` case, a storage allocator, and a conformance; the
/// CPU backend is the reference every other is tested against.
protocol Backend {
    /// The layout this backend computes a batch of images in: a convolution's output lies in it, and the ops
    /// that follow keep it. Its kernels see tensors as they lie in memory (`Tensor.memory`), the ops convert.
    var imageLayout: ImageLayout { get }

    // Elementwise.
    func add(_ a: Tensor, _ b: Tensor) -> Tensor
    func addInPlace(_ a: inout Tensor, _ b: Tensor)
    func scale(_ x: Tensor, by s: Float) -> Tensor
    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor
    /// x for x > 0, slope·x otherwise (slope 0: ReLU).
    func leakyReLU(_ x: Tensor, slope: Float) -> Tensor
    /// dy where input > 0, slope·dy elsewhere.
    func leakyReLUBackward(_ dy: Tensor, input: Tensor, slope: Float) -> Tensor
    func firstNonFinite(_ x: Tensor) -> Float?
    /// The index of the first of `tensors` (all on this device) that holds a NaN or ±∞: on a device, one
    /// value read back for the whole list.
    func firstNonFiniteTensor(_ tensors: [Tensor]) -> Int?
    /// average ← keep·average + (1 − keep)·x, in place (an exponential moving average's step).
    func blendInPlace(_ average: inout Tensor, toward x: Tensor, keep: Float)
    /// [A, B, …] → [B, A, …] (NCHW ↔ CNHW); its own adjoint.
    func swapFirstTwoAxes(_ x: Tensor) -> Tensor
    /// The items of x along its first axis at `indices`, in that order (each index within the axis).
    func gatherFirstAxis(_ x: Tensor, _ indices: [Int]) -> Tensor
    /// `parts` (on this device, alike but in their first axis) one after another along their first axis.
    func concatenateFirstAxis(_ parts: [Tensor]) -> Tensor
    /// x with the window `rows` × `columns` of its last two axes taken from `source` (x's shape, in range).
    func pasteWindow(_ x: Tensor, from source: Tensor, rows: Range<Int>, columns: Range<Int>) -> Tensor

    // Matrix products (2-D, row-major).
    /// op(a) · op(b) (+ c when given), op transposing when asked.
    func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, adding c: Tensor?) -> Tensor
    /// [N, K] → [K]: the sum of the rows.
    func sumRows(_ x: Tensor) -> Tensor
    /// [K] → [N, K]: `v` repeated on every row.
    func repeatRows(_ v: Tensor, count: Int) -> Tensor

    // Convolution.
    func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor
    /// activation(conv2d + bias + residual), forward only (evaluation of a folded convolution and batch norm).
    func conv2d(_ x: Tensor, _ weight: Tensor, bias: Tensor, _ g: ConvGeometry, activation: Activation, residual: Tensor?) -> Tensor
    /// Needs only x and the weight from the forward pass (a backend may recompute what it derived from them).
    func conv2dBackward(_ dy: Tensor, x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        wants: (input: Bool, weight: Bool, bias: Bool)) -> (input: Tensor?, weight: Tensor?, bias: Tensor?)

    // Batch normalisation; `relu` fuses a ReLU after it (forward and backward in the same passes).
    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, relu: Bool) -> BatchNormSaved
    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, relu: Bool) -> BatchNormSaved
    func batchNormBackward(_ dy: Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                           training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor)
    /// activation(batch norm + residual); a backend without these fused runs the residual sum and a leaky ReLU
    /// as passes of their own (the defaults below), and `batchNormActivationBackward` undoes whichever was done.
    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved
    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved
    /// May write the input gradient into dy's buffer when no one else holds it (dy is then that gradient).
    func batchNormActivationBackward(_ dy: inout Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                                     training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor)
    /// activation(batch norm) with the statistics a training or evaluation pass saved, without a residual:
    /// exactly the floats that pass output (a released output recomputed for the backward pass).
    func batchNormNormalized(_ x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, inverseStd: Tensor,
                             _ g: NormGeometry, activation: Activation) -> Tensor

    // Pooling (per plane: any layout whose first two axes hold the planes).
    func maxPool2d(_ x: Tensor, _ g: PoolGeometry) -> Tensor
    /// Finds each window's winner again in x, so the forward pass stores no indices.
    func maxPool2dBackward(_ dy: Tensor, x: Tensor, _ g: PoolGeometry) -> Tensor
    func avgPool2d(_ x: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor
    func avgPool2dBackward(_ dy: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor
    /// [N, C, H, W] or [C, N, H, W] (as x lies in memory, `layout`) → [N, C].
    func globalAvgPool(_ x: Tensor, layout: ImageLayout) -> Tensor
    func globalAvgPoolBackward(_ dy: Tensor, inputShape: [Int], layout: ImageLayout) -> Tensor

    // Losses.
    func logSoftmax(_ x: Tensor) -> Tensor
    func logSoftmaxBackward(_ dy: Tensor, output: Tensor) -> Tensor
    /// Mean of −Σ q·log softmax(z) over rows, and log softmax(z) for the backward pass.
    func crossEntropy(_ logits: Tensor, target q: Tensor) -> (loss: Float, logSoftmax: Tensor)
    func crossEntropyBackward(_ dLoss: Float, logSoftmax: Tensor, target q: Tensor) -> Tensor
    /// (1 − ε)·q + ε/K.
    func smoothLabels(_ q: Tensor, epsilon: Float) -> Tensor

    // Optimisers.
    func sgdStep(weight: inout Tensor, gradient: Tensor, velocity: inout Tensor?, _ p: SGDStepParameters)
    func adamWStep(weight: inout Tensor, gradient: Tensor, m: inout Tensor, v: inout Tensor, _ p: AdamWStepParameters)
}

extension Backend {
    /// Through the host: a backend without these kernels copies its tensors over and back, explicitly.
    func gatherFirstAxis(_ x: Tensor, _ indices: [Int]) -> Tensor {
        CPUBackend.shared.gatherFirstAxis(x.to(.cpu), indices).to(x.device)
    }

    func concatenateFirstAxis(_ parts: [Tensor]) -> Tensor {
        CPUBackend.shared.concatenateFirstAxis(parts.map { $0.to(.cpu) }).to(parts[0].device)
    }

    func pasteWindow(_ x: Tensor, from source: Tensor, rows: Range<Int>, columns: Range<Int>) -> Tensor {
        CPUBackend.shared.pasteWindow(x.to(.cpu), from: source.to(.cpu), rows: rows, columns: columns).to(x.device)
    }
}

extension Backend {
    /// The convolution, then the residual and the activation as passes of their own: correct on any backend;
    /// a backend that can apply them while the output is in cache implements its own.
    func conv2d(_ x: Tensor, _ weight: Tensor, bias: Tensor, _ g: ConvGeometry, activation: Activation, residual: Tensor?) -> Tensor {
        var y = conv2d(x, weight, bias, g)
        if let residual { y = add(y, residual) }
        return activation.slope.map { leakyReLU(y, slope: $0) } ?? y
    }
}

extension Backend {
    func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVar: inout Tensor,
                           _ g: NormGeometry, momentum: Float, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved {
        let saved = batchNormTraining(x, weight: weight, bias: bias, runningMean: &runningMean, runningVar: &runningVar, g,
                                      momentum: momentum, epsilon: epsilon, relu: activation == .relu && residual == nil)
        return finishing(saved, activation, residual)
    }

    func batchNormEvaluation(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                             _ g: NormGeometry, epsilon: Float, activation: Activation, residual: Tensor?) -> BatchNormSaved {
        finishing(batchNormEvaluation(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, g,
                                      epsilon: epsilon, relu: activation == .relu && residual == nil), activation, residual)
    }

    func batchNormActivationBackward(_ dy: inout Tensor, x: Tensor, weight: Tensor, saved: BatchNormSaved, _ g: NormGeometry,
                                     training: Bool, wantsInput: Bool) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        // A leaky ReLU with a positive slope keeps the sign, so its output tells where its input was positive.
        let dz = saved.leakySlope.map { leakyReLUBackward(dy, input: saved.output, slope: $0) } ?? dy
        return batchNormBackward(dz, x: x, weight: weight, saved: saved, g, training: training, wantsInput: wantsInput)
    }

    /// Adds the residual and applies what the fused pass did not (a ReLU fused only without a residual).
    private func finishing(_ saved: BatchNormSaved, _ activation: Activation, _ residual: Tensor?) -> BatchNormSaved {
        var saved = saved
        if let residual { saved.output = add(saved.output, residual) }
        switch activation {
        case .identity: break
        case .relu:
            if residual != nil { saved.output = leakyReLU(saved.output, slope: 0); saved.fusedReLU = true }
        case .leakyReLU(let slope):
            saved.output = leakyReLU(saved.output, slope: slope)
            saved.leakySlope = slope
        }
        return saved
    }
}

/// What the batch-norm forward pass keeps for the backward pass: the output (for a fused ReLU's mask;
/// with a residual, the output after the sum) and the per-channel mean and 1/√(var + ε) it normalised with.
struct BatchNormSaved {
    var output: Tensor
    var mean: Tensor
    var inverseStd: Tensor
    /// Whether a ReLU was fused into the forward pass (its output then masks the gradient).
    var fusedReLU: Bool
    /// The slope of a leaky ReLU applied after batch norm (`output` is after it), positive; nil when none.
    var leakySlope: Float? = nil
}

/// The sizes of one batch normalisation: element (o, c, i) at (o·C + c)·inner + i. NCHW images have
/// outer = N, inner = H·W; CNHW images outer = 1, inner = N·H·W; [N, C] features outer = N, inner = 1.
struct NormGeometry {
    let outer, channels, inner: Int
    /// In training, the ranks whose batches the statistics span (synchronised batch norm); nil: this batch alone.
    var ranks: World? = nil
    /// This process's values per channel.
    var valuesPerChannel: Int { outer * inner }
}

/// One SGD update's hyper-parameters, as PyTorch's SGD applies them.
struct SGDStepParameters {
    var learningRate, momentum, dampening, weightDecay: Float
    var nesterov: Bool
}

/// One AdamW update's hyper-parameters; `step` counts from 1.
struct AdamWStepParameters {
    var learningRate, beta1, beta2, epsilon, weightDecay: Float
    var step: Int
}
