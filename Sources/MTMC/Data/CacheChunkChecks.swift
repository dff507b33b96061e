import Foundation

/// Which chunks of a cache file have been checked against their checksums, and the failures not yet
/// reported. Chunks are checked when first read, not all at load: a second load of a large dataset would
/// otherwise read the whole file (2.9 GB for 200,000 images at 224×224) before
/// training starts, and training reads every chunk anyway.
final class CacheChunkChecks {
    private enum State { case unchecked, good, corrupt }
    private var states: [State]
    private var unreported: [String] = []
    /// Set once the file can no longer be read at all.
    private var lost = false
    private let lock = NSLock()

    init(chunks: Int) { states = Array(repeating: .unchecked, count: chunks) }

    /// Whether chunk `c` passes. `check` runs the first time, outside the lock, so that readers of different
    /// chunks check them in parallel (two readers of one new chunk may both check it: same answer).
    /// `failed` runs once, on the first failure, and returns the message to report, if any.
    func passes(_ c: Int, check: () -> Bool, failed: () -> String?) -> Bool {
        lock.lock()
        let state = states[c]
        lock.unlock()
        if state != .unchecked { return state == .good }
        let good = check()
        lock.lock()
        let first = states[c] == .unchecked
        if first { states[c] = good ? .good : .corrupt }
        let passed = states[c] == .good
        lock.unlock()
        if !good && first, let message = failed() {
            lock.lock()
            unreported.append(message)
            lock.unlock()
        }
        return passed
    }

    /// Marks every chunk as failing, from now on: the file can no longer be read (another program cut it short).
    /// The first call reports `message`; later ones change nothing.
    func failAll(reporting message: @autoclosure () -> String) {
        lock.lock()
        defer { lock.unlock() }
        guard !lost else { return }
        lost = true
        states = Array(repeating: .corrupt, count: states.count)
        unreported.append(message())
    }

    /// The failures found since the last call, oldest first.
    func takeUnreported() -> [String] {
        lock.lock()
        defer { unreported = []; lock.unlock() }
        return unreported
    }
}
