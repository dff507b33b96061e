import Hummingbird

/// The routes `mtmc serve` answers, and the methods of each.
let serveRoutes: [(path: String, methods: [HTTPRequest.Method])] = [
    ("/", [.get]), ("/model", [.get]), ("/health", [.get]), ("/metrics", [.get]), ("/predict", [.post]), ("/reload", [.post]),
]

/// An unknown path (404) or a method its route does not take (405, with an Allow header) is answered
/// like every other refusal: a JSON body with a sentence naming what was asked and what exists.
struct RouteErrorsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard let route = serveRoutes.first(where: { $0.path == path }) else {
            let all = serveRoutes.flatMap { route in route.methods.map { "\($0.rawValue) \(route.path)" } }
            return ServeError(.notFound, "no route \(path): mtmc serve answers \(all.joined(separator: ", "))").response
        }
        guard route.methods.contains(request.method) else {
            let allowed = route.methods.map(\.rawValue).joined(separator: ", ")
            var response = ServeError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(path): use \(allowed)").response
            response.headers[.allow] = allowed
            return response
        }
        return try await next(request, context)
    }
}
