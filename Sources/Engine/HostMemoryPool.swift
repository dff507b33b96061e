import Foundation

/// The host buffers of the tensors of one or more engine contexts: a `StoragePool` that any thread may
/// take from and give back to. Each host tensor's storage holds the pool it came from and goes back to it.
public final class HostMemoryPool: @unchecked Sendable {
    private var pool: StoragePool
    private let lock = NSLock()

    /// 128 MiB of slack by default: the least with which no 64×64 training step of tiny, ResNet-18 or Darknet
    /// maps fresh pages (with 64 MiB they fault many times over; BENCHMARKS.md). A training step takes and
    /// gives a few hundred buffers.
    public init(slack: Int = 1 << 25, maximumAge: Int = 1 << 14) {
        pool = StoragePool(slack: slack, maximumAge: maximumAge)
    }

    /// Runs once no tensor holds one of its buffers and no context holds the pool.
    deinit { pool.drain() }

    /// A buffer of `count` floats (small ones straight from malloc, which recycles them well itself).
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        guard count >= StoragePool.minimumPooled else { return .allocate(capacity: max(count, 1)) }
        lock.lock()
        defer { lock.unlock() }
        return pool.take(count)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        guard count >= StoragePool.minimumPooled else { return pointer.deallocate() }
        lock.lock()
        defer { lock.unlock() }
        pool.give(pointer)
    }

    /// Floats in pooled buffers handed out and not yet given back.
    var liveFloats: Int { lock.withLock { pool.liveFloats } }
    /// Floats cached for reuse.
    var cachedFloats: Int { lock.withLock { pool.cachedFloats } }
}
