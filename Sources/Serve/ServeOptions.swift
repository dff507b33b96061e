import Foundation
import MTMC

/// How `mtmc serve` listens and batches; every field starts at its value in the defaults table (`Defaults.serve`).
public struct ServeOptions: Sendable {
    /// Address to bind; loopback unless the user names another.
    public var host = Defaults.serve.host
    /// 0: any free port (the startup line says which).
    public var port = Defaults.serve.port
    /// The engine's threads for inference (OpenBLAS and its own loops).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Most images in one forward pass.
    public var maxBatch = Defaults.serve.maxBatch
    /// Longest a forming batch waits for requests still being decoded.
    public var maxWait = Defaults.serve.maxWait
    /// Largest request body accepted.
    public var maxBytes = Defaults.serve.maxBytes
    /// Largest image accepted, in pixels, read from its header before decoding.
    public var maxPixels = Defaults.serve.maxPixels
    /// Most images (multipart parts) in one request.
    public var maxImages = Defaults.serve.maxImages
    /// Most pixels decoded for one request, all its images together (a JPEG far larger than the model's
    /// input decodes at a reduced scale, and counts at that scale).
    public var maxRequestPixels = Defaults.serve.maxRequestPixels
    /// Bytes that requests in flight may hold together (bodies, and the decoded images of the batch each
    /// is preparing); a request that would pass it is answered 503.
    public var maxMemory = Defaults.serve.maxMemory
    /// Seconds from a request's first byte to the end of its head.
    public var headerTimeout = Defaults.serve.headerTimeout
    /// Seconds from the end of a request's head to the end of its body.
    public var bodyTimeout = Defaults.serve.bodyTimeout
    /// Seconds a connection with no request under way stays open (after opening, and after each answer).
    public var idleTimeout = Defaults.serve.idleTimeout
    /// Print one line per request on standard output: method, path, status, bytes, duration.
    public var accessLog = false

    public init() {}

    /// Whether `host` names this machine only, so nothing outside can reach the server.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
