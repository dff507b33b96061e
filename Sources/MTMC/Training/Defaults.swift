import Foundation
import Vision

/// The defaults that the shell, `mtmc predict` and `mtmc serve` share: each is written here once, and every
/// setting, option, query parameter and help text that has it reads it from here.
public enum Defaults {
    /// Calibrated confidence at or above which a class is listed: `set threshold`, `predict --threshold`,
    /// POST /predict's `threshold` and the upload page's field.
    public static let threshold = 0.5
    /// Largest image, in pixels, that `load`, the shell's `predict` and `mtmc predict` decode (refused from its
    /// header beyond): the decoder's own limit.
    public static let pixelLimit = ImageDecoder.defaultPixelLimit
    /// How `mtmc serve` listens, batches and bounds what a request may cost.
    public static let serve = ServeDefaults()
}

/// The defaults of `mtmc serve`'s options, in the order its help lists them.
public struct ServeDefaults: Sendable {
    /// Loopback: nothing outside this machine can reach the server unless the user names another address.
    public let host = "127.0.0.1"
    public let port = 8080
    public let maxBatch = 32
    /// Seconds a forming batch waits for requests still being decoded.
    public let maxWait: TimeInterval = 0.003
    public let maxBytes = 20 << 20
    /// A server decodes what strangers send, so its limit is below the shell's.
    public let maxPixels = 40_000_000
    public let maxImages = 4096
    public let maxRequestPixels = 200_000_000
    public let maxMemory = 256 << 20
    public let headerTimeout: TimeInterval = 10
    public let bodyTimeout: TimeInterval = 60
    public let idleTimeout: TimeInterval = 5
}
