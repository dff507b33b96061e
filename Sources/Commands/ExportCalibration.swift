import Engine
import Foundation
import MTMC

let exportCommand = Command("export", usage: "export calib PATH",
                            summary: "write the calibration as JSON in the original's shape, one object keyed by task",
                            example: "export calib calibration.json", completions: ["calib"]) { session, args in
    guard args.count == 2, args[0] == "calib" else { throw exportCommand.usageError() }
    guard !session.calibration.isEmpty else { throw CommandError("export calib: nothing calibrated yet; run eval, then calibrate") }
    let path = session.resolve(args[1])
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("export calib: folder \((args[1] as NSString).deletingLastPathComponent) does not exist")
    }
    let text = calibrationExportJSON(session.calibration)
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw CommandError("export calib: cannot write \(args[1]): \((error as NSError).localizedDescription)")
    }
    session.out.print("wrote \(args[1]): tasks " + session.calibration.map(\.task).joined(separator: ", ") + ", 45 levels per class (null: level not reached)")
}

/// `{"TASK": {"class_idx_dict": {"0": name, …}, "pvals": [0.1, …, 0.98], "ptmat_dict": {name: [45 thresholds or null]}}, …}`,
/// UTF-8 with Chinese names unescaped.
public func calibrationExportJSON(_ calibration: [TaskCalibration]) -> String {
    func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    let tasks = calibration.map { c -> String in
        let index = c.classes.enumerated().map { "\(jsonQuoted(String($0.offset))): \(jsonQuoted($0.element))" }.joined(separator: ", ")
        let pvals = precisionLevels.map(number).joined(separator: ", ")
        let matrix = c.classes.enumerated().map { i, name in
            "\(jsonQuoted(name)): [" + c.tables[i].thresholds.map { $0.map(number) ?? "null" }.joined(separator: ", ") + "]"
        }.joined(separator: ",\n      ")
        return "  \(jsonQuoted(c.task)): {\n    \"class_idx_dict\": {\(index)},\n    \"pvals\": [\(pvals)],\n    \"ptmat_dict\": {\n      \(matrix)\n    }\n  }"
    }
    return "{\n" + tasks.joined(separator: ",\n") + "\n}\n"
}
