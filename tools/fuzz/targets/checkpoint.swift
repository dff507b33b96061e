// Fuzz target: checkpoint opening (safetensors, metadata JSON, settings, tasks, history, calibration),
// then building the model from what was accepted.
import Foundation
import MTMC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let checkpoint = try? Checkpoint.decode(Data(bytes: data, count: size), source: "fuzz.safetensors") else { return 0 }
    _ = try? checkpoint.makeTrainer()
    return 0
}
