import Foundation

/// Progress and cancellation shared by worker threads: each adds what it finished now and then, which
/// reports the total and polls for Ctrl-C under one lock; once cancelled, every worker is told to stop.
final class SharedProgress {
    private let lock = NSLock()
    private let total: Int
    private let report: (Int, Int) -> Void
    private let poll: () -> Bool
    private(set) var done = 0
    private(set) var cancelled = false

    init(total: Int, report: @escaping (Int, Int) -> Void, poll: @escaping () -> Bool) {
        (self.total, self.report, self.poll) = (total, report, poll)
    }

    /// Adds `finished` items; returns true when the work should stop.
    func add(_ finished: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        done += finished
        report(done, total)
        if !cancelled && poll() { cancelled = true }
        return cancelled
    }
}
