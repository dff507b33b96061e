import Engine
import Foundation
import MTMC
import Vision

let exportCommand = Command("export", usage: "export calib PATH | export onnx PATH [--opset N]",
                            summary: "write the calibration as JSON in the original's shape, or the model as ONNX (preprocessing, classes and calibration inside)",
                            example: "export onnx model.onnx", completions: ["calib", "onnx"]) { session, args in
    if args.first == "onnx" { return try exportONNX(session, args) }
    guard args.count == 2, args[0] == "calib" else { throw exportCommand.usageError() }
    guard !session.calibration.isEmpty else { throw CommandError("export calib: nothing calibrated yet; run eval, then calibrate") }
    let path = session.resolve(args[1])
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("export calib: folder \((args[1] as NSString).deletingLastPathComponent) does not exist")
    }
    do {
        try writeAtomically(Data(calibrationExportJSON(session.calibration).utf8), to: path)
    } catch {
        throw CommandError("export calib: cannot write \(args[1]): \(errorReason(error))")
    }
    session.out.print("wrote \(args[1]): tasks " + session.calibration.map(\.task).joined(separator: ", ") + ", 45 levels per class (null: level not reached)")
}
