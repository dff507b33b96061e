import Dispatch
import Engine
import Foundation
import Hummingbird
import Logging
import NIOCore
import MTMC

/// `mtmc serve`: loads the checkpoint once and answers until SIGINT or SIGTERM. Blocks the calling thread.
public func serve(modelPath: String, options: ServeOptions, log: @escaping @Sendable (String) -> Void) throws {
    var context = EngineContext.fromEnvironment()
    context.host = HostResources.process.with(threads: options.threads)
    let model = try ServedModel(path: modelPath, context: context)
    let metrics = ServeMetrics(maxBatch: options.maxBatch)
    let batcher = PredictionBatcher(model: model, maxBatch: options.maxBatch, maxWait: options.maxWait) { metrics.batchSizes.record(Double($0)) }
    let reloader = ModelReloader(path: modelPath, batcher: batcher, log: log)
    reloader.reloadOnHangUp()
    let seconds = { (value: TimeInterval) in TimeAmount.nanoseconds(Int64(value * 1e9)) }
    let timeouts = ConnectionTimeouts(header: seconds(options.headerTimeout), body: seconds(options.bodyTimeout), idle: seconds(options.idleTimeout))
    let app = Application(router: router(batcher: batcher, reloader: reloader, metrics: metrics, options: options, log: log),
                          server: .http1(timeouts: timeouts),
                          configuration: .init(address: .hostname(options.host, port: options.port), serverName: "mtmc"),
                          onServerRunning: { channel in
                              log(startupLine(model, options: options, port: channel.localAddress?.port ?? options.port))
                          },
                          logger: Logger(label: "mtmc-serve", factory: { _ in SwiftLogNoOpLogHandler() }))
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var failure: (any Error)?
    Task {
        do { try await app.runService() } catch { failure = error }
        finished.signal()
    }
    finished.wait()
    if let failure { throw failure }
}

/// The line that says what is served, where, and whether other machines can reach it.
func startupLine(_ model: ServedModel, options: ServeOptions, port: Int) -> String {
    let host = options.host.contains(":") ? "[\(options.host)]" : options.host
    let reach = options.isLoopback ? "loopback only" : "NOT loopback: reachable from other machines (--host \(options.host))"
    return "serving \(model.path) (\(model.architecture.name), \(model.inputSize.width)×\(model.inputSize.height), "
        + "\(model.tasks.count) tasks, sha256 \(model.sha256.prefix(12))) on http://\(host):\(port), \(reach)"
}

/// The routes (`serveRoutes`), each counted by the metrics middleware.
func router(batcher: PredictionBatcher, reloader: ModelReloader, metrics: ServeMetrics, options: ServeOptions,
            log: @escaping @Sendable (String) -> Void) -> Router<BasicRequestContext> {
    let router = Router()
    if options.accessLog { router.add(middleware: AccessLogMiddleware(log: log)) }
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: RouteErrorsMiddleware())
    let predict = PredictEndpoint(batcher: batcher, options: options, metrics: metrics)
    router.post("/predict") { request, _ in await predict.answer(request) }
    router.get("/model") { _, _ in jsonResponse(modelDescription(batcher.model)) }
    router.get("/health") { _, _ in jsonResponse(["status": "ok", "sha256": batcher.model.sha256]) }
    router.get("/metrics") { _, _ in textResponse(metrics.text(), type: "text/plain; version=0.0.4") }
    router.get("/") { _, _ in textResponse(uploadPage, type: "text/html; charset=utf-8") }
    router.post("/reload") { _, _ in
        do {
            let model = try await reloader.reload()
            return jsonResponse(modelDescription(model))
        } catch {
            return ServeError(.unprocessableContent, "reload failed, still serving \(batcher.model.sha256): \(error)").response
        }
    }
    return router
}
