// Fuzz target: calibration JSON as mtmc reads it (from a checkpoint): decoded, then checked against the
// tasks and classes it names with the checkpoint's own validation; what passes is used (confidence lookups,
// the original's export shape) as `predict` and `export calib` use it.
import Foundation
import MTMC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let json = String(data: bytes, encoding: .utf8),
          let raw = try? JSONDecoder().decode([TaskCalibration].self, from: bytes) else { return 0 }
    let tasks = raw.map { TaskClasses(name: $0.task, classes: $0.classes) }
    guard let tables = try? Checkpoint.calibrationTables(json, tasks: tasks).tables else { return 0 }
    for task in tables {
        for table in task.tables { _ = table.confidence(0.5); _ = table.confidence(Double.nan); _ = table.confidence(-Double.infinity) }
        _ = task.originalExport
    }
    return 0
}
