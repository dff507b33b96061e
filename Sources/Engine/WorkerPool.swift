import Foundation
import Synchronization

/// The engine's own threads: `workers` threads beside the caller, which run the chunks of one parallel
/// loop at a time. A worker that finishes a loop spins a short while for the next one before it sleeps,
/// as OpenMP's threads do: a training step or one image's forward pass runs hundreds of short loops, and
/// waking a sleeping thread for each (what `DispatchQueue.concurrentPerform` does) costs tens of
/// microseconds on a virtual machine, more after the machine idles, and leaves a second core idle much
/// of the time.
final class WorkerPool: @unchecked Sendable {
    /// How long a worker spins for the next loop before it sleeps (MTMC_SPIN_US, microseconds).
    static let spinMicroseconds = ProcessInfo.processInfo.environment["MTMC_SPIN_US"].flatMap { UInt64($0) } ?? 200

    /// Threads beside the caller.
    let workers: Int
    /// How long this pool's workers spin: not at all when the pool has more threads than the machine has
    /// cores (a spinning worker would then hold a core that another thread of the same loop needs).
    private let spinNanoseconds: UInt64
    /// The current loop's generation (bits 32…), chunk count (16…31) and next chunk to take (0…15), in one
    /// word, so that a claim (one compare-exchange) always takes a chunk of the loop current at that moment,
    /// checked against that loop's count: a worker late for one loop safely joins the next.
    private let ticket = Atomic<UInt64>(0)
    /// Chunks of the current loop not yet finished; the caller returns when none is left.
    private let unfinished = Atomic<Int>(0)
    /// Held by the caller whose loop the workers serve; other callers run their loops on their own thread.
    private let inUse = Atomic<Bool>(false)
    /// Workers asleep (or about to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let wake = NSCondition()
    /// The current loop's body. Written before `ticket` is published, read only by a thread that claimed one
    /// of its chunks (so `unfinished` keeps the caller, and the body, waiting).
    nonisolated(unsafe) private var body: ((Int) -> Void)?

    init(workers: Int) {
        self.workers = max(0, workers)
        spinNanoseconds = self.workers < ProcessInfo.processInfo.activeProcessorCount ? Self.spinMicroseconds * 1000 : 0
        for index in 0..<self.workers {
            let thread = Thread { self.workerLoop() }  // the workers keep the pool alive until `stop`
            thread.name = "mtmc-engine-\(index + 1)"
            thread.start()
        }
    }

    /// Stops the workers (they exit once they see the stop, and then release the pool; it must not be used after).
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        ticket.add(1 << 32, ordering: .sequentiallyConsistent)
        wake.lock(); wake.broadcast(); wake.unlock()
    }

    /// Runs `body(0) … body(chunks - 1)`, each once, on the caller and the workers; returns when all have
    /// run. Which thread runs a chunk varies, so a chunk's result must not depend on it. Runs every chunk on
    /// the caller when the pool is serving another loop (a nested loop, or a second thread's).
    func run(chunks: Int, _ body: (Int) -> Void) {
        if !runOnWorkers(chunks: chunks, body) {
            for chunk in 0..<chunks { body(chunk) }
        }
    }

    /// `run`, but false, having run nothing, when the workers can't take part (the pool is serving
    /// another loop, has no workers, or there is one chunk): the caller may then do the work whole.
    func runOnWorkers(chunks: Int, _ body: (Int) -> Void) -> Bool {
        guard chunks > 1, chunks < 1 << 16, workers > 0,
              inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            self.body = body
            unfinished.store(chunks, ordering: .relaxed)
            let generation = (ticket.load(ordering: .relaxed) >> 32) + 1
            ticket.store(generation << 32 | UInt64(chunks) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wake.lock(); wake.broadcast(); wake.unlock() }
            takeChunks()
            waitUntilFinished()
            self.body = nil
        }
        inUse.store(false, ordering: .releasing)
        return true
    }

    /// Runs chunks of the current loop until none is left to take.
    private func takeChunks() {
        var t = ticket.load(ordering: .acquiring)
        while t & 0xFFFF < (t >> 16) & 0xFFFF {
            let (claimed, seen) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
            guard claimed else { t = seen; continue }
            body!(Int(t & 0xFFFF))
            unfinished.subtract(1, ordering: .releasing)
            t = ticket.load(ordering: .acquiring)
        }
    }

    /// Spins until the workers finish their chunks, yielding the core after a while (a worker may have
    /// been descheduled mid-chunk).
    private func waitUntilFinished() {
        var spins = 0
        while unfinished.load(ordering: .acquiring) > 0 {
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0  // the generation before the first loop, even if that loop began before this thread
        while true {
            seen = nextGeneration(after: seen)
            if stopping.load(ordering: .acquiring) { return }
            takeChunks()
        }
    }

    /// Waits for the loop after `seen`: spinning for `spinNanoseconds`, then asleep on `wake`.
    private func nextGeneration(after seen: UInt64) -> UInt64 {
        let deadline = DispatchTime.now().uptimeNanoseconds + spinNanoseconds
        var spins = 0
        while true {
            let current = ticket.load(ordering: .acquiring) >> 32
            if current != seen { return current }
            spins += 1
            if spins & 255 == 0, DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        wake.lock()
        defer { wake.unlock() }
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        while ticket.load(ordering: .sequentiallyConsistent) >> 32 == seen { wake.wait() }
        return ticket.load(ordering: .acquiring) >> 32
    }
}
