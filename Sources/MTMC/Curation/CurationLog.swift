import Engine
import Foundation
import Vision

/// The curation log, `curation.jsonl` in the logs folder: one JSON object per action (relabel, drop, and each
/// undo), appended and flushed to disk before the action counts as done, so every move a session made can be
/// traced and replayed by hand: `{"time", "action", "file", "from", "to"}` with paths relative to the tree's
/// folder (`from`/`to` name the folders' classes or the quarantine) and the time in ISO 8601, UTC.
public struct CurationLog {
    public let path: String
    private let file: AppendOnlyFile

    /// Opens (creating) the log in `folder`; throws naming the file and what is wrong, before anything moves.
    public init(folder: String) throws {
        path = CurationLog.path(folder: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            file = try AppendOnlyFile(path: path, create: true)
        } catch {
            throw CurationRefusal(description: "cannot open the curation log \(path): \(error); nothing moved")
        }
    }

    /// One line for `move` on `dataset` (before the move, to name its paths), at `date`.
    public static func line(_ move: ImageMove, dataset: Dataset, date: Date = Date()) -> String {
        let parent = (normalizedPath(dataset.root) as NSString).deletingLastPathComponent
        func shown(_ path: String) -> String { path.hasPrefix(parent + "/") ? String(path.dropFirst(parent.count + 1)) : path }
        return CurationEntry(time: date, action: move.action, file: (move.to as NSString).lastPathComponent,
                             from: shown(move.from), to: shown(move.to)).line
    }

    /// The log's path in `folder`.
    public static func path(folder: String) -> String { (folder as NSString).appendingPathComponent("curation.jsonl") }

    /// Every entry of the log in `folder`, oldest first (none when there is no log); throws naming the file and
    /// line of one that is not an entry.
    public static func entries(folder: String) throws -> [CurationEntry] {
        let path = path(folder: folder)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DatasetError("cannot read the curation log \(path): \(errorReason(error))")
        }
        return try text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            guard !line.isEmpty else { return nil }
            guard let entry = try? JSONDecoder().decode(CurationEntry.self, from: Data(line.utf8)) else {
                throw DatasetError("\(path) line \(number + 1): not a curation entry (time, action, file, from, to)")
            }
            return entry
        }
    }

    /// Appends `line` and a newline, synced to disk; throws naming the log.
    public func append(_ line: String) throws {
        do { try file.append(Data((line + "\n").utf8), sync: true) } catch {
            throw CurationRefusal(description: "cannot append to the curation log \(path): \(error)")
        }
    }
}

/// One action of the curation log. Paths inside the tree's folder are relative to it; others are absolute.
public struct CurationEntry: Codable, Equatable {
    /// ISO 8601, UTC, with milliseconds.
    public let time: String
    /// The command that made the change: relabel, drop, undo, label.
    public let action: String
    /// The file's name where it is now.
    public let file: String
    public let from: String
    public let to: String

    public init(time: Date = Date(), action: String, file: String, from: String, to: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        self.time = formatter.string(from: time)
        self.action = action
        self.file = file
        self.from = from
        self.to = to
    }

    /// The entry as one JSON line, its fields in the order a reader expects them.
    public var line: String {
        let fields = [("time", time), ("action", action), ("file", file), ("from", from), ("to", to)]
        return "{" + fields.map { jsonQuoted($0.0) + ": " + jsonQuoted($0.1) }.joined(separator: ", ") + "}"
    }
}
