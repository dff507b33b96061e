import Foundation

/// The bytes that requests in flight may hold together: bodies as they arrive and the decoded images of
/// the batch each is preparing. A request that would pass it is refused at once rather than queued, and
/// a client that sends slowly holds only the bytes it has sent.
final class MemoryBudget: @unchecked Sendable {
    let limit: Int
    /// Called with the bytes held after each change (for /metrics).
    private let onChange: @Sendable (Int) -> Void
    private let lock = NSLock()
    private var held = 0

    init(_ limit: Int, onChange: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.limit = limit
        self.onChange = onChange
    }

    /// Takes `bytes` if they fit; every `true` is followed by a `release` of the same bytes.
    func reserve(_ bytes: Int) -> Bool {
        lock.withLock {
            guard bytes <= limit - held else { return false }
            held += bytes
            onChange(held)
            return true
        }
    }

    func release(_ bytes: Int) {
        lock.withLock {
            held -= bytes
            onChange(held)
        }
    }
}
