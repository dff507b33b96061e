import Foundation

/// Recycles freed tensor buffers by size class. Training repeats the same shapes every step, so
/// after the first step buffers come back warm instead of as fresh pages from the kernel (each fresh
/// page is a fault and a zeroing, and two threads faulting wait on each other, so a pool too small for
/// every buffer a step needs makes training markedly slower).
///
/// What it holds counts in the process's memory as much as the live buffers do. So it keeps live and
/// cached together within the most the live buffers alone have ever needed, plus `slack`: a step's
/// buffers are cached while live memory is low (after the step) and taken again as it rises, and at
/// the step's peak the pool holds at most `slack`. When over, it evicts the buffers freed longest ago
/// (a step frees its last layers' buffers first and the next step takes its first layers' first, so
/// those freed last are wanted soonest), and a buffer not taken again within `maximumAge` takes and
/// gives (dozens of training steps) goes too, so that memory a session no longer uses (a dropped
/// dataset, an old model's shapes) goes back to the system. Pooled sizes are mapped and unmapped
/// directly, so an evicted buffer's pages go back at once (malloc keeps buffers under its adaptive mmap
/// threshold, up to 32 MB, in its heap).
///
/// A buffer is made for its size class (`sizeClass`), not its exact size, and serves any request of its
/// class or up to an eighth smaller: batches whose sizes differ by a few images (a mixed-task epoch's
/// batches hold 62, 63 or 64) then share buffers, where exact sizes would cache one set per batch size,
/// pass the slack and evict the next step's buffers every step.
struct StoragePool {
    /// Cached buffers, the oldest first, each with the clock when it was freed.
    private var cached: [(count: Int, pointer: UnsafeMutablePointer<Float>, freedAt: Int)] = []
    /// Floats in `cached`.
    private(set) var cachedFloats = 0
    /// Floats in pooled buffers handed out and not yet given back.
    private(set) var liveFloats = 0
    /// The most `liveFloats` has been.
    private(set) var peakLiveFloats = 0
    /// The floats of each buffer handed out and not yet given back (a buffer may be larger than asked for).
    private var liveSizes: [UnsafeMutablePointer<Float>: Int] = [:]
    /// Takes and gives so far.
    private var clock = 0
    /// Floats the pool may hold at the live peak.
    let slack: Int
    /// Takes and gives after which a buffer still cached is unmapped.
    let maximumAge: Int

    /// Buffers smaller than this go straight to malloc, which recycles them well itself.
    static let minimumPooled = 1 << 14

    /// Size classes per doubling: a buffer is at most 1/16 larger than asked for.
    static let classesPerDoubling = 16

    /// The floats a pooled buffer of `count` floats is made with: `count` rounded up to a multiple of 1/16 of
    /// the largest power of two below it.
    static func sizeClass(_ count: Int) -> Int {
        let below = Int.bitWidth - 1 - max(count - 1, 1).leadingZeroBitCount
        let step = max(1, (1 << below) / classesPerDoubling)
        return (count + step - 1) / step * step
    }

    init(slack: Int, maximumAge: Int) {
        self.slack = slack
        self.maximumAge = maximumAge
    }

    /// A buffer of at least `requested` floats: the most recently freed (the likeliest still in cache) of its
    /// size class or up to an eighth larger, else fresh pages of its size class.
    mutating func take(_ requested: Int) -> UnsafeMutablePointer<Float> {
        let size = Self.sizeClass(requested)
        clock += 1
        let pointer: UnsafeMutablePointer<Float>, count: Int
        if let index = cached.lastIndex(where: { $0.count >= size && $0.count <= size + size / 8 }) {
            (pointer, count) = (cached[index].pointer, cached[index].count)
            cached.remove(at: index)
            cachedFloats -= count
        } else {
            (pointer, count) = (Self.map(size), size)
        }
        liveFloats += count
        peakLiveFloats = max(peakLiveFloats, liveFloats)
        liveSizes[pointer] = count
        evict()
        return pointer
    }

    /// Takes back a buffer `take` handed out.
    mutating func give(_ pointer: UnsafeMutablePointer<Float>) {
        guard let count = liveSizes.removeValue(forKey: pointer) else {
            preconditionFailure("a buffer given back to a pool that did not hand it out")
        }
        clock += 1
        liveFloats -= count
        cached.append((count, pointer, clock))
        cachedFloats += count
        evict()
    }

    /// Unmaps every cached buffer (the pool's owner is going away).
    mutating func drain() {
        cached.forEach { Self.unmap($0.pointer, $0.count) }
        cached = []
        cachedFloats = 0
    }

    /// Unmaps the oldest buffers while live and cached together pass the live peak and the slack, or the
    /// oldest was freed more than `maximumAge` takes and gives ago.
    private mutating func evict() {
        var evicted = 0
        while evicted < cached.count
                && (liveFloats + cachedFloats > peakLiveFloats + slack || cached[evicted].freedAt < clock - maximumAge) {
            Self.unmap(cached[evicted].pointer, cached[evicted].count)
            cachedFloats -= cached[evicted].count
            evicted += 1
        }
        cached.removeFirst(evicted)
    }

    private static func map(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = count * MemoryLayout<Float>.stride
        let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            fatalError("out of memory: could not map \(bytes) bytes for a tensor")
        }
        return address.bindMemory(to: Float.self, capacity: count)
    }

    private static func unmap(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        munmap(UnsafeMutableRawPointer(pointer), count * MemoryLayout<Float>.stride)
    }
}
