import Foundation

/// How `mtmc serve` listens and batches.
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
    /// Largest image accepted, in pixels, read from its header before decoding.
    public var maxPixels = 40_000_000

    public init() {}

    /// Whether `host` names this machine only, so nothing outside can reach the server.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
