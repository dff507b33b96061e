import Foundation

/// How `mtmc serve` listens and batches. A fresh value holds the defaults (`Defaults.serve`), which the
/// command's options start from.
public struct ServeOptions: Sendable {
    /// Address to bind; loopback unless the user names another.
    public var host = "127.0.0.1"
    /// 0: any free port (the startup line says which).
    public var port = 8080
    /// The engine's threads for inference (OpenBLAS and its own loops).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Most images in one forward pass.
    public var maxBatch = 32
    /// Longest a forming batch waits for requests still being decoded.
    public var maxWait: TimeInterval = 0.003
    /// Largest request body accepted.
    public var maxBytes = 20 << 20
    /// Largest image accepted, in pixels, read from its header before decoding. A server decodes what others
    /// send, so its limit is below the shell's.
    public var maxPixels = 40_000_000
    /// Most images (multipart parts) in one request.
    public var maxImages = 4096
    /// Most pixels decoded for one request, all its images together (a JPEG far larger than the model's
    /// input decodes at a reduced scale, and counts at that scale).
    public var maxRequestPixels = 200_000_000
    /// Bytes that requests in flight may hold together (bodies, and the decoded images of the batch each
    /// is preparing); a request that would pass it is answered 503.
    public var maxMemory = 256 << 20
    /// Seconds from a request's first byte to the end of its head.
    public var headerTimeout: TimeInterval = 10
    /// Seconds from the end of a request's head to the end of its body.
    public var bodyTimeout: TimeInterval = 60
    /// Seconds a connection with no request under way stays open (after opening, and after each answer).
    public var idleTimeout: TimeInterval = 5
    /// Print one line per request on standard output: method, path, status, bytes, duration.
    public var accessLog = false

    public init() {}

    /// Whether `host` names this machine only, so nothing outside can reach the server.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
