import Foundation
import Vision

/// Runs the predictions of concurrent callers together, on one thread of its own: a batch takes every
/// waiting request (up to `maxBatch` images) and, while more requests are still being decoded, waits up
/// to `maxWait` for them. Decoding happens on the callers' threads, so it overlaps the running batch.
/// Each request runs on the model that was current when it was submitted: a swap never changes the
/// answer of a request already accepted.
public final class PredictionBatcher: @unchecked Sendable {
    public typealias Scores = [[(task: String, scores: [ClassScore])]]

    /// One request: its images, the model it was submitted under, and where its answer goes.
    private struct Job {
        let images: [RGBImage]
        let model: ServedModel
        let done: (Result<Scores, any Error>) -> Void
    }

    public let maxBatch: Int
    public let maxWait: TimeInterval
    /// Called on the batch thread with each batch's image count (for metrics).
    private let onBatch: @Sendable (Int) -> Void
    private let condition = NSCondition()
    // Guarded by `condition`:
    /// The model new requests are submitted under.
    private var current: ServedModel
    /// Requests accepted and not yet taken into a batch, in arrival order.
    private var pending: [Job] = []
    /// Requests announced by `expect()` and not yet submitted or withdrawn: worth waiting for.
    private var arriving = 0

    public init(model: ServedModel, maxBatch: Int, maxWait: TimeInterval, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        current = model
        self.maxBatch = max(1, maxBatch)
        self.maxWait = maxWait
        self.onBatch = onBatch
        // The thread holds the batcher for the life of the process, as a server needs it.
        let thread = Thread { self.loop() }
        thread.name = "mtmc-batcher"
        // The forward pass of a large model recurses through its layers on this stack.
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// The model new requests run on.
    public var model: ServedModel { condition.withLock { current } }

    /// Makes `model` the one new requests run on; requests already submitted finish on the one they had.
    public func swap(to model: ServedModel) {
        condition.withLock { current = model }
    }

    /// Requests accepted and waiting for a batch.
    var waitingRequests: Int { condition.withLock { pending.count } }

    /// Announces a request whose images are being decoded, so a forming batch may wait for it;
    /// every call is followed by one `predict` or `withdraw`.
    public func expect() {
        condition.withLock { arriving += 1 }
    }

    /// An announced request that will not be submitted (its image could not be decoded).
    public func withdraw() {
        condition.withLock { arriving -= 1; condition.broadcast() }
    }

    /// Scores per image and task, and the model that computed them. `announced`: `expect()` was called for it.
    public func predict(_ images: [RGBImage], announced: Bool = false) async throws -> (model: ServedModel, scores: Scores) {
        try await withCheckedThrowingContinuation { continuation in
            condition.withLock {
                if announced { arriving -= 1 }
                let model = current
                pending.append(Job(images: images, model: model) { result in
                    continuation.resume(with: result.map { (model, $0) })
                })
                condition.broadcast()
            }
        }
    }

    private func loop() {
        while true {
            let jobs = nextBatch()
            let images = jobs.flatMap(\.images)
            onBatch(images.count)
            do {
                var scores = try jobs[0].model.predict(images)[...]
                for job in jobs {
                    job.done(.success(Array(scores.prefix(job.images.count))))
                    scores = scores.dropFirst(job.images.count)
                }
            } catch {
                for job in jobs { job.done(.failure(error)) }
            }
        }
    }

    /// Waits for requests, then for more while some are still decoding (up to `maxWait`), and takes the
    /// oldest requests of one model, at most `maxBatch` images (or the one request, if it is larger).
    private func nextBatch() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty { condition.wait() }
        let deadline = Date(timeIntervalSinceNow: maxWait)
        while arriving > 0 && pending.reduce(0, { $0 + $1.images.count }) < maxBatch && condition.wait(until: deadline) {}
        var taken = [pending[0]], count = pending[0].images.count
        for job in pending.dropFirst() {
            guard job.model === taken[0].model, count + job.images.count <= maxBatch else { break }
            taken.append(job)
            count += job.images.count
        }
        pending.removeFirst(taken.count)
        return taken
    }
}
