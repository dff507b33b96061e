import Foundation

/// Host-to-device copies that run beside the kernels: the bytes go into pinned host memory (a ring of two
/// staging buffers, cuMemHostAlloc), cuMemcpyHtoDAsync copies them on a stream of their own, and an event
/// makes the kernels launched afterwards (on the default stream) wait for the copy; the host goes on at
/// once. The next batch's images travel this way while the current step computes.
final class CUDACopyStream {
    private typealias Status = Int32
    // cuda.h: CU_STREAM_NON_BLOCKING = 0x1 (no implicit synchronisation with the default stream),
    // CU_EVENT_DISABLE_TIMING = 0x2.
    private static let nonBlocking: UInt32 = 1, disableTiming: UInt32 = 2
    private let hostAlloc: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int, UInt32) -> Status
    private let freeHost: @convention(c) (UnsafeMutableRawPointer?) -> Status
    private let copyAsync: @convention(c) (UInt64, UnsafeRawPointer, Int, OpaquePointer?) -> Status
    private let record: @convention(c) (OpaquePointer?, OpaquePointer?) -> Status
    private let synchronize: @convention(c) (OpaquePointer?) -> Status
    private let wait: @convention(c) (OpaquePointer?, OpaquePointer?, UInt32) -> Status
    private let must: (Int32, String) -> Void
    private let stream: OpaquePointer?
    /// Recorded on the default stream before each copy: the copy waits for the kernels queued until then.
    private let queued: OpaquePointer?
    /// The staging buffers, each with the event of its last copy.
    private var slots: [(host: UnsafeMutableRawPointer?, bytes: Int, copied: OpaquePointer?)] = []
    private var next = 0
    private let lock = NSLock()

    /// On the current context; `must` ends the process on a failed call (a broken device).
    init(_ d: SharedLibrary, must: @escaping (Int32, String) -> Void) throws {
        hostAlloc = try d.function("cuMemHostAlloc", as: type(of: hostAlloc))
        freeHost = try d.function("cuMemFreeHost", as: type(of: freeHost))
        copyAsync = try d.function("cuMemcpyHtoDAsync_v2", as: type(of: copyAsync))
        record = try d.function("cuEventRecord", as: type(of: record))
        synchronize = try d.function("cuEventSynchronize", as: type(of: synchronize))
        wait = try d.function("cuStreamWaitEvent", as: type(of: wait))
        self.must = must
        let createStream = try d.function("cuStreamCreate", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32) -> Status).self)
        let createEvent = try d.function("cuEventCreate", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32) -> Status).self)
        var s: OpaquePointer?, e: [OpaquePointer?] = [nil, nil, nil]
        guard createStream(&s, Self.nonBlocking) == 0, createEvent(&e[0], Self.disableTiming) == 0, createEvent(&e[1], Self.disableTiming) == 0,
              createEvent(&e[2], Self.disableTiming) == 0 else { throw EngineError("CUDA: cannot create the copy stream and its events") }
        (stream, queued) = (s, e[0])
        slots = [(nil, 0, e[1]), (nil, 0, e[2])]
    }

    /// Starts copying `bytes` from `source` to the device address `destination` and returns; `source` may be
    /// reused at once.
    func copy(from source: UnsafeRawPointer, to destination: DeviceAddress, bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        var slot = slots[next]
        // The buffer's copy before last must have left it (an event never recorded counts as done).
        must(synchronize(slot.copied), "cuEventSynchronize (staging buffer)")
        if slot.bytes < bytes {
            if let old = slot.host { must(freeHost(old), "cuMemFreeHost") }
            var host: UnsafeMutableRawPointer?
            must(hostAlloc(&host, bytes, 0), "cuMemHostAlloc of \(bytes) bytes")
            (slot.host, slot.bytes) = (host, bytes)
        }
        memcpy(slot.host!, source, bytes)
        // The destination came from the buffer cache: kernels queued before may still read what it held.
        must(record(queued, nil), "cuEventRecord")
        must(wait(stream, queued, 0), "cuStreamWaitEvent (copy stream)")
        must(copyAsync(destination.bits, slot.host!, bytes, stream), "cuMemcpyHtoDAsync")
        must(record(slot.copied, stream), "cuEventRecord")
        must(wait(nil, slot.copied, 0), "cuStreamWaitEvent (default stream)")
        slots[next] = slot
        next = (next + 1) % slots.count
    }
}
