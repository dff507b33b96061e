import CTurboJPEG
import Foundation

/// JPEG through TurboJPEG, whose API returns errors instead of exiting the process.
public enum JPEG {
    /// Decodes baseline, progressive, grayscale and CMYK JPEGs to RGB. Corrupt or truncated data,
    /// which TurboJPEG reports as a warning with the rest of the image grey, is refused.
    static func decode(_ data: Data, path: String, pixelLimit: Int, targetSize: (width: Int, height: Int)?) throws -> RGBImage {
        try decodeKeepingSize(data, path: path, pixelLimit: pixelLimit, targetSize: targetSize).image
    }

    /// The size the header declares, without decoding.
    static func declaredSize(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        guard let handle = tjInitDecompress() else { throw ImageError(path: path, reason: "cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { raw in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress!, UInt(raw.count), &width, &height,
                                      &subsampling, &colorspace) == 0 else {
                throw ImageError(path: path, reason: "invalid JPEG header: \(String(cString: tjGetErrorStr2(handle)))")
            }
            return (Int(width), Int(height))
        }
    }

    /// `decode`, with the size the header declares (the image may be decoded smaller, at a DCT scale).
    static func decodeKeepingSize(_ data: Data, path: String, pixelLimit: Int,
                                  targetSize: (width: Int, height: Int)?) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else { throw ImageError(path: path, reason: "cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        func reason(_ what: String) -> ImageError {
            ImageError(path: path, reason: "\(what): \(String(cString: tjGetErrorStr2(handle)))")
        }
        return try data.withUnsafeBytes { raw -> DecodedImage in
            let source = raw.bindMemory(to: UInt8.self).baseAddress!
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, source, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
                throw reason("invalid JPEG header")
            }
            try ImageDecoder.checkPixels(width: Int(width), height: Int(height), limit: pixelLimit, path: path)
            let (w, h) = scaledSize(width: Int(width), height: Int(height), covering: targetSize)
            let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let channels = isCMYK ? 4 : 3
            var decoded = [UInt8](repeating: 0, count: w * h * channels)
            let status = decoded.withUnsafeMutableBufferPointer {
                tjDecompress2(handle, source, UInt(raw.count), $0.baseAddress, Int32(w), 0, Int32(h),
                              Int32(isCMYK ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue), TJFLAG_ACCURATEDCT)
            }
            if status != 0 {
                let warning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
                throw reason(warning ? "corrupt or truncated JPEG data" : "cannot decode JPEG")
            }
            let declared = (width: Int(width), height: Int(height))
            guard isCMYK else { return DecodedImage(image: RGBImage(width: w, height: h, pixels: decoded), sourceSize: declared) }
            // Inverted (Adobe) CMYK as TurboJPEG returns it: R = C·K/255, as Pillow converts.
            var rgb = [UInt8](repeating: 0, count: w * h * 3)
            for i in 0..<(w * h) {
                let k = Int(decoded[i * 4 + 3])
                for c in 0..<3 { rgb[i * 3 + c] = UInt8((Int(decoded[i * 4 + c]) * k + 127) / 255) }
            }
            return DecodedImage(image: RGBImage(width: w, height: h, pixels: rgb), sourceSize: declared)
        }
    }

    /// The smallest of TurboJPEG's scaling factors that keeps both sides at least the target's.
    static func scaledSize(width: Int, height: Int, covering target: (width: Int, height: Int)?) -> (Int, Int) {
        guard let target else { return (width, height) }
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return (width, height) }
        var best = (width, height)
        for i in 0..<Int(count) {
            let f = factors[i]
            guard f.num <= f.denom else { continue }  // never upscale
            let w = (width * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
            let h = (height * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
            if w >= target.width && h >= target.height && w * h < best.0 * best.1 { best = (w, h) }
        }
        return best
    }

    /// Encodes RGB as a baseline JPEG (4:2:0) at `quality` 1–100.
    public static func encode(_ image: RGBImage, quality: Int = 90) throws -> Data {
        guard let handle = tjInitCompress() else { throw ImageError(path: "JPEG", reason: "cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &output, &size, Int32(TJSAMP_420.rawValue), Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw ImageError(path: "JPEG", reason: "cannot encode: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Data(bytes: output, count: Int(size))
    }
}
