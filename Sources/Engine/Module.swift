/// One entry of a model's state: a parameter or a buffer (running statistics), under its PyTorch name.
public struct NamedVariable {
    public let name: String
    public let variable: Variable
    public let isBuffer: Bool

    public init(name: String, variable: Variable, isBuffer: Bool = false) {
        self.name = name
        self.variable = variable
        self.isBuffer = isBuffer
    }
}

/// A layer or a model built of layers, whose state carries PyTorch state-dict names
/// (`conv1.weight`, `layer1.0.bn1.running_mean`), so weights move between the two unchanged.
public protocol Module: AnyObject {
    /// Parameters and buffers in registration order, each name prefixed with `prefix`.
    func namedVariables(prefix: String) -> [NamedVariable]
    /// Switches training behaviour (batch statistics, dropout) on or off.
    func setTraining(_ training: Bool)
    /// Runs from now on in `context`: a model hands it to each of its layers.
    func use(_ context: EngineContext)
}

extension Module {
    public func setTraining(_ training: Bool) {}
    public func use(_ context: EngineContext) {}

    /// Trainable parameters with their names.
    public func namedParameters() -> [NamedVariable] {
        namedVariables(prefix: "").filter { !$0.isBuffer }
    }

    /// Moves every parameter and buffer to `device`; gradients are dropped (the next backward pass
    /// makes them there).
    public func move(to device: Device) {
        for entry in namedVariables(prefix: "") {
            entry.variable.value = entry.variable.value.to(device)
            entry.variable.grad = nil
        }
    }

    /// Parameters and buffers by name, in registration order.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        namedVariables(prefix: "").map { ($0.name, $0.variable.value) }
    }

    /// Loads every parameter and buffer from `tensors`, checking names and shapes first:
    /// nothing changes unless all of them match. Tensors that name no parameter or buffer
    /// (PyTorch's `num_batches_tracked` counters, for one) are ignored.
    public func loadStateDict(_ tensors: [String: Tensor]) throws {
        let entries = namedVariables(prefix: "")
        var problems: [String] = []
        for entry in entries {
            guard let t = tensors[entry.name] else { problems.append("missing tensor \(entry.name)"); continue }
            if t.shape != entry.variable.value.shape {
                problems.append("\(entry.name): expected shape \(describe(entry.variable.value.shape)), file has \(describe(t.shape))")
            }
        }
        guard problems.isEmpty else {
            throw EngineError("load state dict: " + problems.joined(separator: "; "))
        }
        for entry in entries { entry.variable.value = tensors[entry.name]! }
    }
}

/// Joins a module prefix and a local name the way PyTorch does (`layer1.0` + `conv1` → `layer1.0.conv1`).
public func qualified(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : prefix + "." + name
}
