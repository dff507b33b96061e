// Fuzz target: safetensors parsing (header length, JSON header, dtypes, shapes, offsets).
import Engine
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? SafeTensorsFile.decode(Data(bytes: data, count: size), source: "fuzz.safetensors")
    return 0
}
