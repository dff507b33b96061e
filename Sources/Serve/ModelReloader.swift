import Dispatch
import Foundation
import MTMC

/// Reloads the checkpoint file (POST /reload, SIGHUP) one reload at a time, off the request threads;
/// a file that does not load leaves the current model serving.
final class ModelReloader: Sendable {
    let path: String
    let batcher: PredictionBatcher
    let log: @Sendable (String) -> Void
    private let queue = DispatchQueue(label: "mtmc-reload")

    init(path: String, batcher: PredictionBatcher, log: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.batcher = batcher
        self.log = log
    }

    /// Loads the file again and swaps it in; returns the new model.
    func reload() async throws -> ServedModel {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.load() }) }
        }
    }

    private func load() throws -> ServedModel {
        let model = try ServedModel(path: path, context: batcher.model.context)
        batcher.swap(to: model)
        log("reloaded \(path): sha256 \(model.sha256.prefix(12)), epoch \(model.epochsCompleted)")
        return model
    }

    /// SIGHUP reloads. The handler only writes a byte to a pipe (all a signal handler may safely do); a
    /// thread of its own reads it. (A dispatch signal source misses signals on Linux: it blocks the
    /// signal on its own thread only, and the others ignore it.)
    func reloadOnHangUp() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return log("SIGHUP will not reload: no pipe (\(String(cString: strerror(errno))))") }
        hangUpWriteEnd = ends[1]
        signal(SIGHUP) { _ in
            var byte: UInt8 = 1
            _ = write(hangUpWriteEnd, &byte, 1)
        }
        let readEnd = ends[0]
        Thread { [self] in
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                queue.sync {
                    do { _ = try load() } catch { log("reload on SIGHUP failed, still serving \(batcher.model.sha256.prefix(12)): \(error)") }
                }
            }
        }.start()
    }
}

/// Where the SIGHUP handler writes; set once, before the handler is installed.
nonisolated(unsafe) private var hangUpWriteEnd: Int32 = -1
