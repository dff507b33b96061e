/// A node of the autodiff graph: a tensor value, its gradient, and how to pass gradients back.
/// Leaves with `requiresGrad` are parameters; other nodes are results of operations.
public final class Variable {
    /// The value computed in the forward pass.
    public var value: Tensor
    /// Accumulated gradient of the loss with respect to `value`; nil until a backward pass reaches it.
    public var grad: Tensor?
    /// Whether gradients flow into this variable (false for inputs, buffers and frozen parameters).
    public var requiresGrad: Bool
    /// True for biases and normalisation weights, which optimisers may exempt from weight decay.
    public var isBiasOrNorm = false
    /// Keeps this intermediate result's gradient after a backward pass (as PyTorch's retain_grad),
    /// e.g. a feature map for Grad-CAM; other intermediate gradients are released.
    public var retainsGrad = false

    private var parents: [Variable] = []
    /// Receives this node's gradient and accumulates gradients into the parents.
    private var backwardFunction: ((Tensor) -> Void)?

    /// A leaf: an input (requiresGrad false) or a parameter (true).
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
    }

    public var shape: [Int] { value.shape }

    /// The result of an operation. The graph is recorded only while gradients are enabled
    /// and some parent requires them; otherwise the result is a plain constant.
    static func result(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) -> Variable {
        let node = Variable(value)
        if recordsGraph(parents: parents) {
            node.requiresGrad = true
            node.parents = parents
            node.backwardFunction = backward
        }
        return node
    }

    /// Whether an operation on `parents` records its backward step.
    static func recordsGraph(parents: [Variable]) -> Bool {
        GradMode.isEnabled && parents.contains(where: { $0.requiresGrad })
    }

    /// Adds `gradient` to this variable's gradient (gradients accumulate until zeroed).
    func accumulate(_ gradient: Tensor) {
        guard requiresGrad else { return }
        if grad == nil { grad = gradient } else { grad!.addInPlace(gradient) }
    }

    /// Back-propagates from this scalar (or from `seed`, a gradient of this variable's shape).
    /// Intermediate gradients and the graph are released afterwards, as PyTorch does.
    public func backward(seed: Tensor? = nil) throws {
        let start = seed ?? Tensor(shape: value.shape, repeating: 1)
        guard start.shape == value.shape else {
            throw EngineError.shapeMismatch("backward", "seed gradient shape differs from the value", start.shape, value.shape)
        }
        guard requiresGrad else { throw EngineError("backward: this value does not depend on any parameter that requires gradients") }
        var order = topologicalOrder()
        accumulate(start)
        // Popped as they are done: once a node's own step has run, every step that reads its value has run
        // too, so an intermediate result nobody else holds is freed at once (its buffer then serves the
        // gradients still to come) instead of every activation living until the whole pass ends.
        while let node = order.popLast() {
            guard let function = node.backwardFunction else { continue }
            if let g = node.grad { function(g) }
            node.backwardFunction = nil
            node.parents = []
            if !node.retainsGrad { node.grad = nil }
        }
    }

    /// Nodes in an order where every node comes after its parents (iterative: deep nets do not overflow the stack).
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.backwardFunction != nil, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}

/// Whether operations record the graph for backward passes.
public enum GradMode {
    nonisolated(unsafe) static var isEnabled = true

    /// Runs `body` without recording any graph (evaluation, prediction).
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }
}
