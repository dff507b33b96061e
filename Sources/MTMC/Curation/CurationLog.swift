import Engine
import Foundation

/// The curation log, `curation.jsonl` in the logs folder: one JSON object per action (relabel, drop, and each
/// undo), appended and flushed to disk before the action counts as done, so every move a session made can be
/// traced and replayed by hand: `{"time", "action", "file", "from", "to"}` with paths relative to the tree's
/// folder (`from`/`to` name the folders' classes or the quarantine) and the time in ISO 8601, UTC.
public struct CurationLog {
    public let path: String
    private let file: AppendOnlyFile

    /// Opens (creating) the log in `folder`; throws naming the file and what is wrong, before anything moves.
    public init(folder: String) throws {
        path = (folder as NSString).appendingPathComponent("curation.jsonl")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            file = try AppendOnlyFile(path: path, create: true)
        } catch {
            throw CurationRefusal(description: "cannot open the curation log \(path): \(error); nothing moved")
        }
    }

    /// One line for `move` on `dataset` (before the move, to name its paths), at `date`.
    public static func line(_ move: ImageMove, dataset: Dataset, date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parent = (normalizedPath(dataset.root) as NSString).deletingLastPathComponent
        func shown(_ path: String) -> String { path.hasPrefix(parent + "/") ? String(path.dropFirst(parent.count + 1)) : path }
        let fields: [(String, String)] = [("time", formatter.string(from: date)), ("action", move.action),
                                          ("file", (move.to as NSString).lastPathComponent), ("from", shown(move.from)), ("to", shown(move.to))]
        return "{" + fields.map { jsonString($0.0) + ": " + jsonString($0.1) }.joined(separator: ", ") + "}"
    }

    /// Appends `line` and a newline, synced to disk; throws naming the log.
    public func append(_ line: String) throws {
        do { try file.append(Data((line + "\n").utf8), sync: true) } catch {
            throw CurationRefusal(description: "cannot append to the curation log \(path): \(error)")
        }
    }
}

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
