import Foundation
import Hummingbird
import Prometheus

/// The /metrics figures: requests and errors per route and status, request latency, batch sizes, and the
/// bytes requests in flight hold of --max-memory.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let latency: DurationHistogram
    let batchSizes: ValueHistogram
    let heldBytes: Gauge

    init(maxBatch: Int) {
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "mtmc", metricName: "request_duration", unitName: "seconds",
                                             helpText: "Time from request to response, all routes."),
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000].map { Duration.milliseconds($0) })
        batchSizes = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "mtmc", metricName: "batch", unitName: "images",
                                             helpText: "Images per forward pass."),
            buckets: Array(sequence(first: 1.0) { $0 * 2 <= Double(maxBatch) ? $0 * 2 : nil }))
        heldBytes = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mtmc", metricName: "memory_held", unitName: "bytes",
                                                                        helpText: "Bytes that requests in flight hold of --max-memory."))
        heldBytes.set(to: 0)
    }

    /// Counts a response: every one in mtmc_requests_total, those with status ≥ 400 also in mtmc_errors_total.
    func record(route: String, status: HTTPResponse.Status, duration: Duration) {
        let labels = [("route", route), ("status", String(status.code))]
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mtmc", metricName: "requests", unitName: "total",
                                                              helpText: "Requests answered, by route and status."),
                             labels: labels).increment()
        if status.code >= 400 {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mtmc", metricName: "errors", unitName: "total",
                                                                  helpText: "Requests answered with a 4xx or 5xx status."),
                                 labels: labels).increment()
        }
        latency.record(duration)
    }

    func text() -> String { registry.emitToString() }
}

/// Times and counts every request, including refused ones and unknown routes.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock(), start = clock.now
        let route = serveRoutes.contains { $0.path == request.uri.path } ? request.uri.path : "other"
        do {
            let response = try await next(request, context)
            metrics.record(route: route, status: response.status, duration: clock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.record(route: route, status: status, duration: clock.now - start)
            throw error
        }
    }
}
