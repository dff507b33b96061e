// Fuzz target: PNG decoding (libpng through Vision). Any input: an image or an ImageError, never a crash.
import Foundation
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The PNG signature first, so that the fuzzer spends its time inside libpng.
    let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(bytes: data, count: size).dropFirst(min(size, 8))
    _ = try? ImageDecoder(pixelLimit: 4_000_000, targetSize: (73, 73)).decode(bytes, path: "fuzz.png")
    return 0
}
