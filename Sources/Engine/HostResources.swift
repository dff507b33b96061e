import CBLAS
import Foundation

/// What the engine's CPU kernels run with: the threads of their parallel loops and matrix products, and
/// the pool their tensors' host buffers come from. An `EngineContext` holds one; running work in it
/// (`run`) hands it to every kernel that work reaches, on the calling thread and on the workers running
/// its loops, so no kernel reads a thread count or a pool from a process global.
public final class HostResources: @unchecked Sendable {
    /// Threads of the engine's parallel loops and matrix products: the caller and `threads - 1` workers.
    public let threads: Int
    /// The workers beside the calling thread.
    let workers: WorkerPool
    /// Where the host tensors made in these resources take their buffers.
    public let memory: HostMemoryPool

    public init(threads: Int, memory: HostMemoryPool = HostMemoryPool()) {
        _ = Self.openBLASThreads
        self.threads = max(1, threads)
        workers = WorkerPool(workers: self.threads - 1)
        self.memory = memory
    }

    deinit { workers.stop() }

    /// The same memory pool with another thread count.
    public func with(threads: Int) -> HostResources { HostResources(threads: threads, memory: memory) }

    /// The resources of work run in no context: as many threads as OpenBLAS would have taken.
    public static let process = HostResources(threads: openBLASThreads)

    /// The threads OpenBLAS would have taken (OPENBLAS_NUM_THREADS, else the processor count). OpenBLAS's
    /// own thread count is process-wide: it is set once, to one, before the first resources exist, since
    /// `gemm` cuts large products across the engine's workers and only one set of threads should ever run.
    private static let openBLASThreads: Int = {
        let threads = Int(openblas_get_num_threads())
        openblas_set_num_threads(1)
        return threads
    }()

    /// The resources of the work running on this thread: those `run` bound, else `process`.
    public static var inUse: HostResources {
        guard let bound = pthread_getspecific(binding) else { return process }
        return Unmanaged<HostResources>.fromOpaque(bound).takeUnretainedValue()
    }

    /// Runs `body` with these resources serving every engine kernel it reaches; restores those bound before.
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        let outer = pthread_getspecific(Self.binding)
        pthread_setspecific(Self.binding, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.binding, outer) }
        return try withExtendedLifetime(self) { try body() }
    }

    private static let binding: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "cannot create the engine's per-thread binding")
        return key
    }()
}
