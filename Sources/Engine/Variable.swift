/// A node of the autodiff graph: a tensor value, its gradient, and how to pass gradients back.
/// Leaves with `requiresGrad` are parameters; other nodes are results of operations.
public final class Variable {
    /// The value computed in the forward pass; after `releaseValue()`, computed again when read.
    public var value: Tensor {
        get { storedValue ?? rematerialized() }
        _modify {
            if storedValue == nil { storedValue = rematerialized() }
            recompute = nil
            yield &storedValue!
            shape = storedValue!.shape
            layout = storedValue!.layout
        }
        set {
            storedValue = newValue
            recompute = nil
            shape = newValue.shape
            layout = newValue.layout
        }
    }
    /// The value's shape, known while the value is released.
    public private(set) var shape: [Int]
    /// How the value lies in memory, known while it is released; its gradient lies the same way.
    public private(set) var layout: ImageLayout
    /// Accumulated gradient of the loss with respect to `value`; nil until a backward pass reaches it.
    public var grad: Tensor?
    /// Whether gradients flow into this variable (false for inputs, buffers and frozen parameters).
    public var requiresGrad: Bool
    /// True for biases and normalisation weights, which optimisers may exempt from weight decay.
    public var isBiasOrNorm = false
    /// Keeps this intermediate result's gradient after a backward pass (as PyTorch's retain_grad),
    /// e.g. a feature map for Grad-CAM; other intermediate gradients are released.
    public var retainsGrad = false

    /// The value, nil while released.
    private var storedValue: Tensor?
    /// Computes the value again, the same floats, from what the backward step keeps anyway (ops that can set it).
    private var recompute: (() -> Tensor)?
    private var parents: [Variable] = []
    /// Receives this node's gradient and the node itself, and accumulates gradients into the parents.
    /// The gradient is handed over (inout, nobody else holding it unless shared or retained), so a step may
    /// write its input gradient into the same buffer.
    private var backwardFunction: ((inout Tensor, Variable) -> Void)?

    /// A leaf: an input (requiresGrad false) or a parameter (true).
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        storedValue = value
        shape = value.shape
        layout = value.layout
        self.requiresGrad = requiresGrad
    }

    /// The result of an operation. The graph is recorded only while gradients are enabled
    /// and some parent requires them; otherwise the result is a plain constant.
    static func result(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) -> Variable {
        result(value, parents: parents, recompute: nil) { dy, _ in backward(dy) }
    }

    /// The result of an operation whose backward step reads the result's own value (handed the node), and
    /// that can give the same floats again from what that step keeps anyway (`recompute`), so that the value
    /// may be released between the forward pass and the backward one. `backward` owns the gradient it is
    /// handed: written through `mutablePointer`, it is reused in place when no one else holds it.
    static func result(_ value: Tensor, parents: [Variable], recompute: (() -> Tensor)?,
                       backward: @escaping (inout Tensor, Variable) -> Void) -> Variable {
        let node = Variable(value)
        if recordsGraph(parents: parents) {
            node.requiresGrad = true
            node.parents = parents
            node.backwardFunction = backward
            node.recompute = recompute
        }
        return node
    }

    /// Frees this result's value until it is next read, when it is computed again, the same floats, from
    /// what its op's backward step keeps anyway. For an activation that only backward steps read again
    /// (a batch norm's output feeding one convolution): it then costs no memory at the forward pass's end.
    /// Returns false, keeping the value, when its op cannot recompute it (a leaf, an op without a recipe,
    /// a constant recorded without a graph).
    @discardableResult
    public func releaseValue() -> Bool {
        guard recompute != nil else { return false }
        storedValue = nil
        return true
    }

    /// Whether the value is held now (false between `releaseValue()` and the next read).
    public var holdsValue: Bool { storedValue != nil }

    /// Recomputes a released value and keeps it: the reads of a backward pass (the consumers' steps, then
    /// this node's own) come close together, and the node is freed after its own step.
    private func rematerialized() -> Tensor {
        guard let recompute else { preconditionFailure("a released value always has a recipe to recompute it") }
        let value = recompute()
        storedValue = value
        return value
    }

    /// Whether an operation on `parents` records its backward step.
    static func recordsGraph(parents: [Variable]) -> Bool {
        GradMode.isEnabled && parents.contains(where: { $0.requiresGrad })
    }

    /// Adds `gradient` to this variable's gradient (gradients accumulate until zeroed).
    func accumulate(_ gradient: Tensor) {
        guard requiresGrad else { return }
        if grad == nil { grad = gradient.inLayout(layout) } else { grad!.addInPlace(gradient) }
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
            if var g = node.grad {
                // Let go of the node's reference first, so that the step may reuse g's buffer.
                if !node.retainsGrad { node.grad = nil }
                function(&g, node)
            }
            node.backwardFunction = nil
            node.parents = []
            // A value never read again keeps its recipe (and the recipe's inputs) in case it is read later.
            if node.storedValue != nil { node.recompute = nil }
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
