import Foundation
import Vision

/// Runs the predictions of concurrent callers together, on one thread of its own: a batch takes every
/// waiting request (up to `maxBatch` images) and, while more requests are still being decoded, waits up
/// to `maxWait` for them. No forward pass holds more than `maxBatch` images: a larger request runs in
/// chunks, and between its chunks the requests that came after it take their turn. Decoding happens on
/// the callers' threads, so it overlaps the running batch. Each request runs on the model that was
/// current when it was submitted: a swap never changes the answer of a request already accepted.
public final class PredictionBatcher: @unchecked Sendable {
    public typealias Scores = [[(task: String, scores: [ClassScore])]]

    /// One request: its images, the model it was submitted under, and where its answer goes.
    private final class Job {
        let images: [RGBImage]
        let model: ServedModel
        let done: (Result<Scores, any Error>) -> Void
        /// Images already taken into batches (guarded by `condition`).
        var taken = 0
        /// Answers of the chunks run so far, in order (the batch thread's only).
        var scores: Scores = []

        init(images: [RGBImage], model: ServedModel, done: @escaping (Result<Scores, any Error>) -> Void) {
            self.images = images
            self.model = model
            self.done = done
        }
    }

    /// Part of a job's images that runs in one batch.
    private struct Chunk {
        let job: Job
        let range: Range<Int>
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
        try await predict(images, on: nil, announced: announced)
    }

    /// Scores per image and task, computed by `model` (a request in several parts keeps the model its
    /// first part had, whatever was swapped in since).
    public func predict(_ images: [RGBImage], on model: ServedModel, announced: Bool = false) async throws -> Scores {
        try await predict(images, on: Optional(model), announced: announced).scores
    }

    private func predict(_ images: [RGBImage], on chosen: ServedModel?, announced: Bool) async throws -> (model: ServedModel, scores: Scores) {
        try await withCheckedThrowingContinuation { continuation in
            condition.withLock {
                if announced { arriving -= 1 }
                let model = chosen ?? current
                pending.append(Job(images: images, model: model) { result in
                    continuation.resume(with: result.map { (model, $0) })
                })
                condition.broadcast()
            }
        }
    }

    private func loop() {
        while true {
            let chunks = nextBatch()
            let images = chunks.flatMap { $0.job.images[$0.range] }
            onBatch(images.count)
            do {
                var scores = try chunks[0].job.model.predict(images)[...]
                for chunk in chunks {
                    chunk.job.scores += scores.prefix(chunk.range.count)
                    scores = scores.dropFirst(chunk.range.count)
                    if chunk.range.upperBound == chunk.job.images.count { chunk.job.done(.success(chunk.job.scores)) }
                }
            } catch {
                fail(chunks.map(\.job), error)
            }
        }
    }

    /// Answers `jobs` with `error`, and drops the chunks of theirs that have not run.
    private func fail(_ jobs: [Job], _ error: any Error) {
        condition.withLock { pending.removeAll { job in jobs.contains { $0 === job } } }
        for job in jobs { job.done(.failure(error)) }
    }

    /// Waits for requests, then for more while some are still decoding (up to `maxWait`), and takes at most
    /// `maxBatch` images of one model, oldest requests first. A request with images left over goes to the
    /// back of the queue.
    private func nextBatch() -> [Chunk] {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty { condition.wait() }
        let deadline = Date(timeIntervalSinceNow: maxWait)
        while arriving > 0 && pending.reduce(0, { $0 + $1.images.count - $1.taken }) < maxBatch && condition.wait(until: deadline) {}
        var chunks: [Chunk] = [], count = 0
        for job in pending where job.model === pending[0].model && count < maxBatch {
            let range = job.taken..<min(job.images.count, job.taken + maxBatch - count)
            chunks.append(Chunk(job: job, range: range))
            job.taken = range.upperBound
            count += range.count
        }
        pending.removeAll { $0.taken == $0.images.count }
        let leftOver = pending.filter { job in chunks.contains { $0.job === job } }
        pending.removeAll { job in leftOver.contains { $0 === job } }
        pending += leftOver
        return chunks
    }
}
