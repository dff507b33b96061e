import Engine
import Foundation
import MTMC

/// `export onnx PATH [--opset N]`: the session's model as one ONNX graph with its preprocessing, classes and
/// calibration in the metadata. The checkpoint hash is that of the checkpoint `save` would write now.
func exportONNX(_ session: Session, _ args: [String]) throws {
    var words = Array(args.dropFirst()), opset = 17
    if let i = words.firstIndex(of: "--opset") {
        guard i + 1 < words.count, let n = Int(words[i + 1]) else { throw CommandError("export onnx: --opset needs a number, e.g. --opset 17") }
        opset = n
        words.removeSubrange(i...(i + 1))
    }
    guard words.count == 1 else { throw exportCommand.usageError() }
    let trainer = try session.requireModel("export onnx")
    let checkpoint = try Checkpoint.encoded(trainer: trainer, tasks: session.modelTasks, calibration: session.calibrationJSON,
                                            evaluations: session.evaluations)
    let description = ONNXExportDescription(
        tasks: session.modelTasks, inputSize: (session.settings.training.inputWidth, session.settings.training.inputHeight),
        normalization: trainer.normalization, calibration: session.calibration, mtmcVersion: mtmcVersion,
        checkpointSHA256: sha256Hex(checkpoint))
    let model = try onnxExport(trainer.model, description, opset: opset)
    session.out.print(try writeONNX(model, to: session.resolve(words[0]), shown: words[0]))
}

/// Writes an exported model atomically (an error leaves no file, and any previous one unchanged); returns the line
/// that reports it.
public func writeONNX(_ model: ONNXModel, to path: String, shown: String) throws -> String {
    var isDirectory: ObjCBool = false
    if path.hasSuffix("/") || shown.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
        throw CommandError("export onnx: \(shown) is a folder; give a file name, e.g. \((shown as NSString).appendingPathComponent("model.onnx"))")
    }
    let folder = (path as NSString).deletingLastPathComponent
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("export onnx: cannot write \(shown): folder \(folder) does not exist or is not a folder; nothing was written")
    }
    let bytes = model.serialized()
    do {
        try writeAtomically(Data(bytes), to: path)
    } catch {
        throw CommandError("export onnx: \(error)")
    }
    let outputs = model.outputs.count / 2
    return String(format: "wrote %@ (%.1f MB): ONNX opset %d, IR %d, input image [N, 3, %d, %d], %d tasks (raw and softmax outputs), %@",
                  shown, Double(bytes.count) / 1e6, model.opset, model.irVersion, inputHeight(model), inputWidth(model), outputs,
                  model.metadata.contains { $0.key == "calibration" && $0.value != "null" } ? "calibrated" : "not calibrated")
}

private func inputHeight(_ model: ONNXModel) -> Int { size(model.inputs[0].dims[2]) }
private func inputWidth(_ model: ONNXModel) -> Int { size(model.inputs[0].dims[3]) }
private func size(_ dim: ONNXValue.Dimension) -> Int { if case .size(let n) = dim { n } else { 0 } }
