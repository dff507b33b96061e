/// What follows a convolution in one pass over its output.
public enum Activation: Equatable {
    case identity
    case relu
    /// x for x > 0, slope·x otherwise.
    case leakyReLU(slope: Float)

    /// The negative slope of a (leaky) ReLU; nil for the identity.
    var slope: Float? {
        switch self {
        case .identity: nil
        case .relu: 0
        case .leakyReLU(let slope): slope
        }
    }
}

/// Convolution, batch norm and an activation in evaluation, folded into one convolution with a bias:
/// with s = γ / √(running var + ε), the weights become W·s per output channel and the bias β − running mean·s,
/// so the batch norm costs no pass of its own. Folded weights are kept per set of running statistics
/// (one per task in a multi-task model) and rebuilt when any tensor they came from has been written
/// since (the storages' write versions) or replaced (their identities); in training, or when the call
/// records a graph, the layers run unfolded.
public final class ConvBatchNormFold {
    /// Folded weights of each set of statistics in use; stale ones are dropped at every lookup.
    private var entries: [FoldedConvolution] = []

    public init() {}

    /// Number of folded weight sets kept (one per set of running statistics seen since the last change).
    public var cachedCount: Int { entries.count }

    /// Drops every folded weight set (training is about to change the weights).
    public func removeAll() { entries.removeAll() }

    /// activation(bn(conv(x)) + residual), folded when `bn` is in evaluation and no graph is recorded; the output
    /// lies in the layout x's backend computes convolutions in.
    public func callAsFunction(_ x: Variable, conv: Conv2D, bn: BatchNorm, activation: Activation,
                               adding residual: Variable? = nil) throws -> Variable {
        try callAsFunction(x, conv: conv, bn: bn, activation: activation, adding: residual, computingIn: x.value.backend.imageLayout)
    }

    /// The same computed in `layout` (the kernels' own tests ask for each).
    func callAsFunction(_ x: Variable, conv: Conv2D, bn: BatchNorm, activation: Activation, adding residual: Variable?,
                        computingIn layout: ImageLayout) throws -> Variable {
        let sources = [conv.weight, bn.weight, bn.bias, bn.runningMean, bn.runningVar] + (conv.bias.map { [$0] } ?? [])
        if bn.training || Variable.recordsGraph(parents: [x] + sources + (residual.map { [$0] } ?? [])) {
            let y = try conv2d(x, conv.weight, conv.bias, stride: conv.stride, padding: conv.padding, computingIn: layout,
                               convolution: conv.convolution)
            return try bn(y, activation: activation, adding: residual)
        }
        let folded = try folded(conv: conv, bn: bn, sources: sources.map(\.value))
        let backend = x.value.backend
        let g = try convGeometry(x.shape, folded.weight.shape, folded.bias.shape, stride: conv.stride, padding: conv.padding,
                                 layout: layout).using(conv.convolution)
        if let residual, residual.shape != g.outputImageShape {
            throw EngineError.shapeMismatch("conv + batch norm", "the residual must have the output's shape", residual.shape,
                                            g.outputImageShape)
        }
        return Variable(backend.conv2d(x.value.inLayout(layout).memory, folded.weight, bias: folded.bias, g, activation: activation,
                                       residual: residual?.value.inLayout(layout).memory).laidOut(as: layout))
    }

    private func folded(conv: Conv2D, bn: BatchNorm, sources: [Tensor]) throws -> FoldedConvolution {
        entries.removeAll { $0.isStale(sources) }
        if let hit = entries.first(where: { $0.isCurrent(sources) }) { return hit }
        let entry = try FoldedConvolution(conv: conv, bn: bn, sources: sources)
        entries.append(entry)
        return entry
    }
}

/// One convolution's weights and bias with a batch norm folded in, and the tensors they were made from.
private struct FoldedConvolution {
    let weight: Tensor
    let bias: Tensor
    /// conv weight, γ, β, running mean, running var (and the conv bias), as they were when folded.
    let stamps: [TensorStamp]

    init(conv: Conv2D, bn: BatchNorm, sources: [Tensor]) throws {
        let device = conv.weight.value.device
        let folded = try foldBatchNorm(weight: conv.weight.value, bias: conv.bias?.value, into: bn)
        weight = folded.weight.to(device)
        bias = folded.bias.to(device)
        stamps = sources.map(TensorStamp.init)
    }

    /// Whether every source is the same storage, unwritten since the fold.
    func isCurrent(_ sources: [Tensor]) -> Bool {
        sources.count == stamps.count && zip(stamps, sources).allSatisfy { $0.matches($1) }
    }

    /// Whether this entry can never be current again: a source was freed or written since, or a source
    /// shared by every set of statistics (all but the running mean and variance) was replaced.
    func isStale(_ sources: [Tensor]) -> Bool {
        zip(stamps, sources).enumerated().contains { index, pair in
            let (stamp, source) = pair
            guard let storage = stamp.storage else { return true }
            if storage === source.storage { return stamp.version != source.storage.version }
            return !FoldedConvolution.statisticsIndices.contains(index)
        }
    }

    /// Where the running mean and variance are among the sources: they alone differ between tasks.
    static let statisticsIndices = 3...4
}

/// The weight and bias of a layer (a convolution [OC, C, KH, KW] or a linear layer [OC, C]) followed by batch
/// norm in evaluation, as one layer: with s = γ / √(running var + ε), the weights become W·s per output channel
/// and the bias β − running mean·s + b·s. Host tensors, whatever the device of the sources.
public func foldBatchNorm(weight w: Tensor, bias: Tensor?, into bn: BatchNorm) throws -> (weight: Tensor, bias: Tensor) {
    let gamma = bn.weight.value.scalars, beta = bn.bias.value.scalars
    let mean = bn.runningMean.value.scalars, variance = bn.runningVar.value.scalars
    let layerBias = bias?.scalars ?? Array(repeating: 0, count: gamma.count)
    for (name, values) in [("weight", gamma), ("bias", beta), ("running_mean", mean), ("running_var", variance), ("layer bias", layerBias)]
    where values.count != w.shape[0] {
        throw EngineError.shapeMismatch("conv + batch norm", "batch norm \(name) must have one value per output channel",
                                        [values.count], [w.shape[0]])
    }
    let perChannel = w.count / max(1, gamma.count)
    var weights = w.scalars, shifts = [Float](repeating: 0, count: gamma.count)
    // The same products as the unfolded evaluation pass (CPUBatchNorm.normalize): s = (1/√(v + ε))·γ.
    for c in gamma.indices {
        let s = 1 / (variance[c] + bn.epsilon).squareRoot() * gamma[c]
        shifts[c] = beta[c] - mean[c] * s + layerBias[c] * s
        for i in c * perChannel..<(c + 1) * perChannel { weights[i] *= s }
    }
    return (try Tensor(shape: w.shape, values: weights), try Tensor(shape: [gamma.count], values: shifts))
}

/// A tensor's storage (held weakly: a stamp never keeps memory alive or makes a write copy) and its
/// write version at the time of the stamp.
private struct TensorStamp {
    weak var storage: TensorStorage?
    let version: Int

    init(_ t: Tensor) {
        storage = t.storage
        version = t.storage.version
    }

    func matches(_ t: Tensor) -> Bool { storage === t.storage && version == t.storage.version }
}
