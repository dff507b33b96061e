import Engine
import Foundation
import Vision

/// One change made to a dataset tree from the shell: what was done, to which file, from where to where, when.
public struct CurationEntry: Codable, Equatable {
    /// ISO 8601, UTC.
    public let time: String
    /// The command that made the change (`label`).
    public let action: String
    /// The file's path relative to the dataset root after the change.
    public let file: String
    /// Where the file came from (an absolute path for a file from outside the tree).
    public let from: String
    /// Where the file is now, absolute.
    public let to: String

    public init(time: Date = Date(), action: String, file: String, from: String, to: String) {
        let format = ISO8601DateFormatter()
        format.timeZone = TimeZone(identifier: "UTC")
        self.time = format.string(from: time)
        self.action = action
        self.file = file
        self.from = from
        self.to = to
    }
}

/// The curation log: `curation.jsonl` in the logs folder, one JSON object per change, appended, never rewritten,
/// so that every change made to a tree from the shell can be traced and reversed by hand.
public struct CurationLog {
    public let path: String

    public init(folder: String) { path = (folder as NSString).appendingPathComponent("curation.jsonl") }

    /// Appends `entry` as one line, making the folder and file when missing.
    public func append(_ entry: CurationEntry) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AppendOnlyFile(path: path, create: true).append(try encoder.encode(entry) + Data("\n".utf8))
    }

    /// Every entry written so far, oldest first; throws naming the file and line of one that is not an entry.
    public func entries() throws -> [CurationEntry] {
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
}
