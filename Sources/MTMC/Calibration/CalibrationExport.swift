import Engine

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
