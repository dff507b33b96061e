import Foundation

/// Reads JPEG and PNG files into RGB, recognising the format by its first bytes (not the extension).
public struct ImageDecoder {
    /// Images declaring more pixels than this are refused from their header, before any allocation.
    public var pixelLimit: Int
    /// When set, JPEGs much larger than this are decoded at a reduced scale (1/2, 1/4, 1/8)
    /// that still covers it; the caller resizes the rest of the way.
    public var targetSize: (width: Int, height: Int)?

    /// The limit when none is given: 100 megapixels.
    public static let defaultPixelLimit = 100_000_000

    public init(pixelLimit: Int = ImageDecoder.defaultPixelLimit, targetSize: (width: Int, height: Int)? = nil) {
        self.pixelLimit = pixelLimit
        self.targetSize = targetSize
    }

    /// Reads and decodes a file.
    public func decode(file path: String) throws -> RGBImage {
        try decode(try ImageDecoder.read(path), path: path)
    }

    /// The bytes of a file, with the system's reason when it cannot be read ("Permission denied",
    /// "Is a directory"); a FIFO or device is refused from its type without blocking.
    static func read(_ path: String) throws -> Data {
        do { return try readRegularFile(path) } catch let error as FileReadError {
            throw ImageError(path: path, reason: "cannot read: " + error.reason)
        }
    }

    /// Reads and decodes a file, keeping the size its header declares.
    public func decodeKeepingSize(file path: String) throws -> DecodedImage {
        try decodeKeepingSize(try ImageDecoder.read(path), path: path)
    }

    /// The width and height a JPEG's or PNG's header declares, without decoding the image.
    public static func declaredSize(file path: String) throws -> (width: Int, height: Int) {
        let data = try read(path)
        let bytes = [UInt8](data.prefix(24))
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEG.declaredSize(data, path: path) }
        if bytes.count == 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // IHDR is the first chunk: its width and height are big-endian at bytes 16 and 20.
            let be = { (i: Int) in bytes[i...i + 3].reduce(0) { $0 << 8 | Int($1) } }
            return (be(16), be(20))
        }
        throw ImageError(path: path, reason: "not a JPEG or PNG file")
    }

    /// Decodes bytes; `path` names the source in errors.
    public func decode(_ data: Data, path: String) throws -> RGBImage {
        try decodeKeepingSize(data, path: path).image
    }

    /// Decodes bytes, keeping the size the header declares; `path` names the source in errors.
    public func decodeKeepingSize(_ data: Data, path: String) throws -> DecodedImage {
        if data.isEmpty { throw ImageError(path: path, reason: "empty file (0 bytes)") }
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            return try JPEG.decodeKeepingSize(data, path: path, pixelLimit: pixelLimit, targetSize: targetSize)
        }
        if bytes == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            let image = try PNG.decode(data, path: path, pixelLimit: pixelLimit)
            return DecodedImage(image: image, sourceSize: (image.width, image.height))
        }
        let shown = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
        throw ImageError(path: path, reason: "not a JPEG or PNG file (starts with \(shown))")
    }

    /// The refusal for an image whose header declares too many pixels.
    static func checkPixels(width: Int, height: Int, limit: Int, path: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(path: path, reason: "header declares an empty image (\(width)×\(height)): truncated?")
        }
        let pixels = width.multipliedReportingOverflow(by: height)
        if pixels.overflow || pixels.partialValue > limit {
            throw ImageError(path: path, reason: "image declares \(width)×\(height) pixels, over the limit of \(limit) pixels")
        }
    }
}
