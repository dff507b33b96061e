import Foundation

/// How the engine runs one session's models: which convolutions take Winograd's products, in a
/// data-parallel job the ranks whose batches a training batch norm's statistics span, and the threads
/// and host memory pool the CPU's kernels use. Made once from the session's settings (the program reads
/// the environment once, at its top, for what has no setting), held by a model and handed by its layers
/// to the ops, which hand it to the kernels in their geometry; the session runs its work in it (`run`),
/// which hands its threads and pool to every kernel that work reaches: no kernel reads a setting from a
/// global or the environment.
public struct EngineContext: Sendable {
    /// Which 3×3 stride-1 convolutions run as Winograd products on the CPU.
    public var convolution: WinogradUse
    /// The ranks of the data-parallel job this process trains in (a world of one when alone).
    public var world: World
    /// Whether training batch norms compute their statistics over the batches of every rank of `world`
    /// (synchronised batch norm) rather than this rank's alone.
    public var synchronizesBatchNorm: Bool
    /// The threads and host memory pool of the CPU's kernels (shared by the copies of this context).
    public var host: HostResources

    public init(convolution: WinogradUse = .auto, world: World = .alone, synchronizesBatchNorm: Bool = false,
                host: HostResources = .process) {
        self.convolution = convolution
        self.world = world
        self.synchronizesBatchNorm = synchronizesBatchNorm
        self.host = host
    }

    /// Runs `body` in this context: the kernels it reaches use its threads and its host memory pool.
    public func run<R>(_ body: () throws -> R) rethrows -> R { try host.run(body) }

    /// The context a program starts from: MTMC_WINOGRAD (auto, off, f2, f4) chooses the convolution
    /// policy, and the world is the MPI job the process joined. Read once, at the program's top.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> EngineContext {
        EngineContext(convolution: environment["MTMC_WINOGRAD"].flatMap(WinogradUse.init(rawValue:)) ?? .auto,
                      world: .current)
    }

    /// The world a training batch norm spans: nil when it uses this rank's batch alone.
    var batchNormWorld: World? { synchronizesBatchNorm && world.size > 1 ? world : nil }
}
