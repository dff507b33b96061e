import Engine
import Foundation
import Vision

/// The original's tab-separated evaluation log: sections `ConfusionMatrix`, `ConfusionMatrix classify ratio`,
/// `Recall`, `Precision@1`, each with a `gt\pred:` header of class names and one row per true class.
/// UTF-8 with a byte-order mark, so Excel reads Chinese class names (LibreOffice reads it either way).
public enum EvaluationLog {
    static let rule = "--------------------------------------"

    /// The file's text.
    public static func text(_ e: TaskEvaluation) -> String {
        var lines: [String] = []
        let header = "gt\\pred:\t" + e.classes.joined(separator: "\t")
        lines.append("ConfusionMatrix:")
        lines.append(header)
        for (c, row) in e.confusion.enumerated() { lines.append(e.classes[c] + "\t" + row.map(String.init).joined(separator: "\t")) }
        lines.append(rule)
        lines.append("ConfusionMatrix classify ratio:")
        lines.append(header)
        for (c, row) in e.ratios.enumerated() {
            lines.append(e.classes[c] + "\t" + row.map { String(format: "%.3f", $0) }.joined(separator: "\t"))
        }
        lines.append(rule)
        lines.append("Recall:")
        for (c, r) in e.recall.enumerated() { lines.append(e.classes[c] + "\t" + (r.map { String(format: "%.4f", $0) } ?? "undefined")) }
        lines.append(rule)
        lines.append("Precision@1:")
        for (c, p) in e.precision.enumerated() { lines.append(e.classes[c] + "\t" + (p.map { String(format: "%.4f", $0) } ?? "undefined")) }
        lines.append(rule)
        return "\u{FEFF}" + lines.joined(separator: "\n") + "\n"
    }

    /// Writes `PHASE_TASK_ConfusionMatrix_YYYY-MM-DD_HH-MM-SS.txt` into `folder` (created if missing); returns the path.
    public static func write(_ e: TaskEvaluation, folder: String, date: Date = Date()) throws -> String {
        try writeLog(Data(text(e).utf8), name: "\(e.phase.uppercased())_\(e.taskName)_ConfusionMatrix", extension: "txt",
                     folder: folder, date: date)
    }

    /// Writes `NAME_YYYY-MM-DD_HH-MM-SS.EXTENSION` into `folder` (created if missing), atomically; returns the path.
    static func writeLog(_ data: Data, name: String, extension suffix: String, folder: String, date: Date) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EngineError("cannot create logs folder \(folder): \(errorReason(error))")
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let path = (folder as NSString).appendingPathComponent(safeFileName("\(name)_\(formatter.string(from: date)).\(suffix)"))
        try writeAtomically(Data(data), to: path)
        return path
    }
}
