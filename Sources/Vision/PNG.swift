import CPNG
import Foundation

/// PNG through libpng's simplified API, which keeps its setjmp error handling inside the library.
public enum PNG {
    /// Decodes every PNG colour type (gray, gray+alpha, palette with or without transparency, RGB,
    /// RGBA; 8 and 16 bit) to 8-bit RGB, compositing alpha on white. 16-bit samples keep their high byte.
    static func decode(_ data: Data, path: String, pixelLimit: Int) throws -> RGBImage {
        // libpng reads the memory given to begin_read again in finish_read: it must outlive both calls.
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, data.count), alignment: 8)
        defer { bytes.deallocate() }
        data.copyBytes(to: bytes)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ what: String) -> ImageError {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return ImageError(path: path, reason: "\(what): \(message)")
        }
        let began = png_image_begin_read_from_memory(&image, bytes.baseAddress, data.count)
        guard began != 0 else { throw failure("invalid PNG header") }
        let (w, h) = (Int(image.width), Int(image.height))
        try ImageDecoder.checkPixels(width: w, height: h, limit: pixelLimit, path: path)

        let sixteenBit = image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        // 16-bit files are read as 16-bit linear RGBA (no gamma conversion; colour premultiplied by alpha).
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA) | (sixteenBit ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        /// The RGBA samples (8 or 16 bit) of the whole image.
        func finishRead<T: FixedWidthInteger>(_ type: T.Type) throws -> [T] {
            var buffer = [T](repeating: 0, count: w * h * 4)
            let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw failure("cannot decode PNG") }
            return buffer
        }
        if sixteenBit {
            let buffer = try finishRead(UInt16.self)
            for i in 0..<(w * h) {
                let alpha = Int(buffer[i * 4 + 3])
                for c in 0..<3 {
                    let composited = Int(buffer[i * 4 + c]) + (65535 - alpha)
                    rgb[i * 3 + c] = UInt8(min(65535, composited) >> 8)
                }
            }
        } else {
            let buffer = try finishRead(UInt8.self)
            for i in 0..<(w * h) {
                let alpha = Int(buffer[i * 4 + 3])
                for c in 0..<3 {
                    rgb[i * 3 + c] = UInt8((Int(buffer[i * 4 + c]) * alpha + 255 * (255 - alpha) + 127) / 255)
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: rgb)
    }

    /// Encodes 8-bit RGB as PNG.
    public static func encode(_ image: RGBImage) throws -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_FLAG_COLOR)
        defer { png_image_free(&png) }
        var size: Int = 0
        let measured = image.pixels.withUnsafeBufferPointer {
            png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw ImageError(path: "PNG", reason: "cannot encode \(image.width)×\(image.height)") }
        var output = Data(count: size)
        let written = output.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBufferPointer {
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw ImageError(path: "PNG", reason: "cannot encode \(image.width)×\(image.height)") }
        return output.prefix(size)
    }
}
