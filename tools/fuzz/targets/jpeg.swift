// Fuzz target: JPEG decoding (TurboJPEG through Vision), with DCT scaling to a small target.
import Foundation
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data([0xFF, 0xD8, 0xFF]) + Data(bytes: data, count: size).dropFirst(min(size, 3))
    _ = try? ImageDecoder(pixelLimit: 4_000_000, targetSize: (73, 73)).decode(bytes, path: "fuzz.jpg")
    return 0
}
