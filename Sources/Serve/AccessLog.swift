import Foundation
import Hummingbird

/// `--access-log`: one line per request, once answered: method, path, status, body bytes, duration, e.g.
/// `POST /predict 200 412 bytes 3.1 ms`.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let log: @Sendable (String) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock(), start = clock.now
        do {
            let response = try await next(request, context)
            write(request, status: response.status, bytes: response.body.contentLength, duration: clock.now - start)
            return response
        } catch {
            write(request, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, bytes: nil, duration: clock.now - start)
            throw error
        }
    }

    private func write(_ request: Request, status: HTTPResponse.Status, bytes: Int?, duration: Duration) {
        let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
        log("\(request.method.rawValue) \(printable(request.uri.path)) \(status.code) \(bytes.map { "\($0) bytes" } ?? "- bytes") "
            + String(format: "%.1f ms", milliseconds))
    }
}

/// `text` with every byte outside visible ASCII written %XX, so that no client can write a line break or
/// a terminal escape into the log.
func printable(_ text: String) -> String {
    text.utf8.map { (0x21...0x7E).contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
}
