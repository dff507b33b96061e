import Engine

/// An exponential moving average of the model's weights and running statistics (`set ema D`, as timm's
/// ModelEmaV2): after every step, average ← d·average + (1 − d)·weights. The decay grows as
/// d = min(D, (1 + n)/(10 + n)) over the first n updates, so a short run is not dominated by the
/// initial weights (at D = 0.999 a plain average would need thousands of steps to forget them).
public struct WeightAverage {
    public private(set) var tensors: [(name: String, tensor: Tensor)]
    public private(set) var updates: Int

    /// Starts from `tensors` as if they had been averaged `updates` times.
    public init(_ tensors: [(name: String, tensor: Tensor)], updates: Int = 0) {
        self.tensors = tensors
        self.updates = updates
    }

    /// The decay the next update uses.
    public func effectiveDecay(_ decay: Float) -> Float {
        min(decay, Float(1 + updates) / Float(10 + updates))
    }

    /// Folds in the current weights (the same names in the same order as at the start).
    public mutating func update(with current: [(name: String, tensor: Tensor)], decay: Float) throws {
        guard current.count == tensors.count else { throw EngineError("ema: the model has \(current.count) tensors, the average \(tensors.count)") }
        let d = effectiveDecay(decay)
        for index in tensors.indices {
            let (name, average) = tensors[index]
            let now = current[index].tensor
            guard current[index].name == name, now.shape == average.shape else { throw EngineError("ema: tensor \(name) changed shape or order") }
            // On the average's device: a model trained on a GPU averages there, with nothing read back.
            tensors[index].tensor.blend(toward: now, keep: d)
        }
        updates += 1
    }

    /// The averaged tensors by name, as `loadCheckpointTensors` takes them.
    public var byName: [String: Tensor] { Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }) }
}
