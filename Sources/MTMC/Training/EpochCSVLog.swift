import Engine
import Foundation
import Vision

/// The per-epoch CSV log: one row per task per finished epoch (epoch, task, lr, train loss and top-1, val
/// loss and top-1, seconds), appended and synced to disk as each epoch ends. Each epoch's rows go down in
/// one write, so a run stopped by Ctrl-C (or killed) leaves every finished epoch's rows whole.
/// The file stays open from the first epoch on (`AppendOnlyFile`): a log replaced by a link or another
/// file while training runs is not written through; the epochs after that fail to log, saying why.
public final class EpochCSVLog {
    public static let header = "epoch,task,lr,train_loss,train_top1,val_loss,val_top1,seconds"
    public let path: String
    private var file: AppendOnlyFile?

    public init(path: String) {
        self.path = path
    }

    /// The rows of one epoch (empty val fields when it was not validated; none for a partial epoch).
    public static func rows(_ r: EpochRecord, taskNames: [String]) -> [String] {
        guard !r.partial else { return [] }
        return taskNames.indices.map { t in
            let train = r.tasks[t]
            let val = r.validation.flatMap { t < $0.count && $0[t].images > 0 ? $0[t] : nil }
            return [String(r.epoch + 1), quoted(taskNames[t]), r.learningRate.map { "\($0)" } ?? "",
                    String(format: "%.6f", train.loss), String(format: "%.6f", train.top1),
                    val.map { String(format: "%.6f", $0.loss) } ?? "", val.map { String(format: "%.6f", $0.top1) } ?? "",
                    r.seconds.map { String(format: "%.3f", $0) } ?? ""].joined(separator: ",")
        }
    }

    /// RFC 4180: a field with a comma, quote or line break goes in quotes, its quotes doubled.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { ",\"\n\r".contains($0) }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Appends the epoch's rows, writing the header first when the file is new or empty; the folder is created.
    /// In a data-parallel job rank 0 alone writes.
    public func append(_ record: EpochRecord, taskNames: [String]) throws {
        let rows = Self.rows(record, taskNames: taskNames)
        guard !rows.isEmpty, World.current.isRoot else { return }
        do {
            let file = try self.file ?? open()
            self.file = file
            let text = (file.size == 0 ? Self.header + "\n" : "") + rows.joined(separator: "\n") + "\n"
            try file.append(Data(text.utf8), sync: true)
        } catch {
            throw EngineError("cannot append to \(path): \(errorReason(error))")
        }
    }

    /// The log opened (made when missing, with its folder), never through a link.
    private func open() throws -> AppendOnlyFile {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        return try AppendOnlyFile(path: path, create: true)
    }
}
