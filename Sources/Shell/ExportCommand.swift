import ArgumentParser
import Commands
import Engine
import Foundation
import MTMC
import Vision

/// `mtmc export`: a checkpoint in a form other programs run.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint for use beyond mtmc.",
        subcommands: [ExportONNXCommand.self])
}

/// `mtmc export onnx --model CKPT PATH [--opset N]`.
struct ExportONNXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Write the checkpoint's model as ONNX: normalisation in the graph, one raw and one softmax output per task, "
            + "classes, preprocessing and calibration in the metadata (tools/onnx-predict.py reads it).")

    @Option(help: "The checkpoint (.safetensors) written by save.")
    var model: String

    @Option(help: "ONNX opset (11–21); the IR version follows it.")
    var opset: Int = 17

    @Argument(help: "The .onnx file to write (atomically).")
    var path: String

    func run() throws {
        do {
            let data = try Checkpoint.readBytes(model)
            let checkpoint = try Checkpoint.decode(data, source: model)
            let trainer = try checkpoint.makeTrainer()
            let description = ONNXExportDescription(
                tasks: checkpoint.tasks, inputSize: (checkpoint.settings.inputWidth, checkpoint.settings.inputHeight),
                normalization: checkpoint.normalization, calibration: checkpoint.calibrationTables, mtmcVersion: mtmcVersion,
                checkpointSHA256: sha256Hex(data))
            let onnx = try onnxExport(trainer.model, description, opset: opset)
            let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            Swift.print(try writeONNX(onnx, to: full, shown: path))
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
