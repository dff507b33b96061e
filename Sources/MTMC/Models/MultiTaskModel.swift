import Engine

/// A shared backbone with one head per task. State names: `backbone.…` and `heads.<task>.{embed,bn,classifier}.…`.
///
/// Batch-norm statistics of the backbone are kept per task (DESIGN.md §2): weights and affine
/// parameters are shared, but task t's batches update only task t's running mean and variance, and
/// evaluating task t uses them, so an image costs one backbone pass per task. With `sharedStatistics` every task
/// reads one set, and one backbone pass answers every task (`outputs`); trained on batches that mix every task's
/// images (`planEpoch(mixTasks:)`), that set describes the same mixture in training and evaluation.
public final class MultiTaskModel: Module {
    public let architecture: Architecture
    public let backbone: Backbone
    public let heads: [Head]
    /// Switching keeps one consistent set: to shared, the active task's statistics become everyone's; to
    /// per-task, the shared statistics become every task's starting point. Without this, task sets saved
    /// before the switch would be written to checkpoints and restored over the shared statistics.
    public var sharedStatistics = false {
        didSet { if sharedStatistics != oldValue { copyStatisticsToAllTasks() } }
    }
    /// Where the parameters, buffers and every task's statistics live (`move(to:)`); inputs are moved here.
    public private(set) var device: Device = .cpu
    /// Whether the backbone is frozen (heads train alone).
    public private(set) var backboneFrozen = false
    /// How the engine runs this model (`use(_:)`): its layers hold the parts they hand to their ops.
    public private(set) var context = EngineContext()

    /// The backbone's running statistics, in `backboneBuffers` order, for each task.
    private var taskStatistics: [[Tensor]]
    /// The task whose statistics are in the backbone now.
    private var activeTask = 0
    private let backboneBuffers: [NamedVariable]

    public init(architecture: Architecture, classesPerTask: [Int], seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        self.architecture = architecture
        let backbone = architecture.makeBackbone(rng: &rng)
        self.backbone = backbone
        heads = classesPerTask.map { Head(features: backbone.featureCount, classes: $0, rng: &rng) }
        let buffers = backbone.namedVariables(prefix: "backbone").filter(\.isBuffer)
        backboneBuffers = buffers
        taskStatistics = Array(repeating: buffers.map(\.variable.value), count: classesPerTask.count)
    }

    public var taskCount: Int { heads.count }

    /// Logits [N, classes of task] for images [N, 3, H, W], using that task's batch-norm statistics.
    public func callAsFunction(_ x: Variable, task: Int) throws -> Variable {
        guard task >= 0 && task < heads.count else { throw EngineError("model: no task \(task); the model has \(heads.count) heads") }
        selectStatistics(task)
        let input = x.value.device == device ? x : Variable(x.value.to(device))
        return try heads[task](try backbone(input))
    }

    /// Backbone passes an image costs to be answered for every task: 1 with shared statistics, else one per task.
    public var passesPerImage: Int { sharedStatistics ? 1 : heads.count }

    /// Logits of every task for images [N, 3, H, W]: with shared statistics from one backbone pass that every
    /// head reads, else one pass per task with that task's statistics.
    public func outputs(_ x: Variable) throws -> [Variable] {
        guard sharedStatistics else { return try heads.indices.map { try self(x, task: $0) } }
        let features = try backbone(x.value.device == device ? x : Variable(x.value.to(device)))
        return try heads.map { try $0(features) }
    }

    /// Logits of a batch whose rows belong to several tasks (`parts`), each row through its own task's head, from
    /// one backbone pass: the rows of part i give element i. Needs shared statistics (one set serves every row).
    public func callAsFunction(_ x: Variable, parts: [TaskRows]) throws -> [Variable] {
        guard parts.count > 1 else { return [try self(x, task: parts[0].task)] }
        guard sharedStatistics else { throw EngineError("model: a batch mixing tasks needs shared batch-norm statistics") }
        if let bad = parts.first(where: { $0.task < 0 || $0.task >= heads.count }) {
            throw EngineError("model: no task \(bad.task); the model has \(heads.count) heads")
        }
        let features = try backbone(x.value.device == device ? x : Variable(x.value.to(device)))
        return try parts.map { try heads[$0.task](try rows(features, $0.rows)) }
    }

    /// Moves the model, every task's statistics included, to `device`; checkpoints stay device-independent
    /// (tensors are copied to the host when written).
    public func move(to device: Device) {
        (self as Module).move(to: device)
        taskStatistics = taskStatistics.map { $0.map { $0.to(device) } }
        self.device = device
    }

    /// Puts task `task`'s running statistics into the backbone, keeping the current task's aside.
    public func selectStatistics(_ task: Int) {
        guard !sharedStatistics, task != activeTask else { return }
        taskStatistics[activeTask] = backboneBuffers.map(\.variable.value)
        for (buffer, value) in zip(backboneBuffers, taskStatistics[task]) { buffer.variable.value = value }
        activeTask = task
    }

    /// Makes every task's statistics equal to the backbone's current ones (after importing weights,
    /// or when switching per-task statistics on).
    public func copyStatisticsToAllTasks() {
        taskStatistics = Array(repeating: backboneBuffers.map(\.variable.value), count: heads.count)
    }

    /// Training mode for the heads, and for the backbone unless it is frozen (a frozen backbone keeps its statistics).
    public func setTraining(_ training: Bool) {
        backbone.setTraining(training && !backboneFrozen)
        heads.forEach { $0.setTraining(training) }
    }

    public func use(_ context: EngineContext) {
        self.context = context
        backbone.use(context)
        heads.forEach { $0.use(context) }
    }

    /// Freezes (heads train alone) or unfreezes the backbone.
    public func setBackboneFrozen(_ frozen: Bool) {
        backboneFrozen = frozen
        for entry in backbone.namedParameters() { entry.variable.requiresGrad = !frozen }
    }

    public func namedVariables(prefix: String) -> [NamedVariable] {
        backbone.namedVariables(prefix: qualified(prefix, "backbone"))
            + heads.enumerated().flatMap { $1.namedVariables(prefix: qualified(prefix, "heads.\($0)")) }
    }

    /// Everything a checkpoint holds about the model: the state dict with task 0's statistics in the
    /// backbone (so PyTorch loads a usable model), plus `task_stats.<t>.<buffer>` for every task.
    public func checkpointTensors() -> [(name: String, tensor: Tensor)] {
        // Shared statistics live in the backbone only: every task's copy is the backbone's.
        if sharedStatistics { copyStatisticsToAllTasks() }
        let previous = activeTask
        selectStatistics(0)
        defer { selectStatistics(previous) }
        taskStatistics[activeTask] = backboneBuffers.map(\.variable.value)
        var tensors = stateDict()
        for (task, values) in taskStatistics.enumerated() {
            for (buffer, value) in zip(backboneBuffers, values) { tensors.append(("task_stats.\(task).\(buffer.name)", value)) }
        }
        return tensors
    }

    /// Restores what `checkpointTensors()` wrote; throws naming every missing or mismatched tensor, changing nothing.
    public func loadCheckpointTensors(_ tensors: [String: Tensor]) throws {
        var statistics = taskStatistics
        var problems: [String] = []
        for task in 0..<heads.count {
            for (index, buffer) in backboneBuffers.enumerated() {
                let name = "task_stats.\(task).\(buffer.name)"
                if let t = tensors[name], t.shape == buffer.variable.value.shape { statistics[task][index] = t } else { problems.append(name) }
            }
        }
        if !problems.isEmpty { throw EngineError("checkpoint: missing or mismatched " + problems.prefix(5).joined(separator: ", ")) }
        try loadStateDict(tensors)
        activeTask = 0
        if sharedStatistics {
            // The state dict's backbone buffers are the shared statistics (what PyTorch would use too).
            copyStatisticsToAllTasks()
            if !device.isCPU { move(to: device) }
            return
        }
        taskStatistics = statistics
        for (buffer, value) in zip(backboneBuffers, taskStatistics[0]) { buffer.variable.value = value }
        if !device.isCPU { move(to: device) }
    }
}
