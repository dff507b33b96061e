import Foundation

/// Every image file of a dataset by path (relative to the root), size and modification time: what a
/// disk cache was made from, so a later load can tell that files were added, removed or changed.
struct TreeManifest: Equatable {
    struct Entry: Equatable {
        let path: String
        let size: Int64
        let modifiedNanoseconds: Int64
    }

    let entries: [Entry]

    /// The scanned `files` (absolute paths under `root`) with the size and modification time the scan found;
    /// a file that could not be stat'ed has size −1, which matches no later state, so its cache is never trusted.
    init(root: String, files: [DatasetTree.ImageFile]) {
        entries = files.map { file in
            let relative = file.path.hasPrefix(root + "/") ? String(file.path.dropFirst(root.count + 1)) : file.path
            return Entry(path: relative, size: file.size, modifiedNanoseconds: file.modifiedNanoseconds)
        }
    }

    init(entries: [Entry]) { self.entries = entries }

    /// Per file: size, modification time, path length (little-endian 64-bit words), then the UTF-8 path.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            let path = Array(entry.path.utf8)
            for word in [UInt64(bitPattern: entry.size), UInt64(bitPattern: entry.modifiedNanoseconds), UInt64(path.count)] {
                withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
            }
            bytes += path
        }
        return bytes
    }

    /// Reads `encoded()`'s layout; nil when the bytes do not hold it.
    init?(decoding bytes: UnsafeRawBufferPointer) {
        var entries: [Entry] = [], at = 0
        func word() -> UInt64? {
            guard at + 8 <= bytes.count else { return nil }
            defer { at += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        while at < bytes.count {
            guard let size = word(), let modified = word(), let length = word(), length <= bytes.count - at else { return nil }
            let path = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + Int(length))]), as: UTF8.self)
            at += Int(length)
            entries.append(Entry(path: path, size: Int64(bitPattern: size), modifiedNanoseconds: Int64(bitPattern: modified)))
        }
        self.entries = entries
    }

    /// Why a cache made from `old` no longer fits these files ("2 files added (e.g. t/train/a/9.png), …"), or nil when it does.
    func changes(since old: TreeManifest) -> String? {
        guard old != self else { return nil }
        let before = Dictionary(old.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let added = entries.filter { before[$0.path] == nil }.map(\.path)
        let removed = old.entries.filter { now[$0.path] == nil }.map(\.path)
        let changed = entries.filter { entry in before[entry.path].map { $0 != entry } ?? false }.map(\.path)
        var parts: [String] = []
        for (paths, what) in [(added, "added"), (removed, "removed"), (changed, "changed (size or modification time)")] where !paths.isEmpty {
            parts.append("\(paths.count) file\(paths.count == 1 ? "" : "s") \(what), e.g. \(paths[0])")
        }
        return parts.isEmpty ? "the files are listed in another order" : parts.joined(separator: "; ")
    }
}
