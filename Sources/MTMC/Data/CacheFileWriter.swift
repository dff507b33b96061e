import Foundation
import Vision

/// Appends chunks to a disk cache file, each chunk's bytes before its table entry, so the file is a
/// valid prefix at every moment. Write errors (a full disk, a file-size limit) throw with the system's reason.
final class CacheFileWriter {
    let path: String
    let layout: CacheFileLayout
    private let fd: Int32
    private var end: Int

    /// A new file holding the header, the manifest and an empty chunk table.
    init(creating path: String, layout: CacheFileLayout, manifest: [UInt8]) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CacheFileProblem("cannot create the cache folder \(folder): \(errorReason(error))")
        }
        unlink(path)
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheFileProblem("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.layout = layout
        end = layout.dataOffset
        var start = layout.encodedHeader() + manifest
        start += [UInt8](repeating: 0, count: layout.dataOffset - start.count)
        try write(start, at: 0)
    }

    /// An existing file whose first `validChunks` chunks (bytes [0, end)) are kept: they are copied into a
    /// new file at the same path and the rest of the table cleared. A new file, not a cut in place, because
    /// another session may still be reading the old one, which then keeps all its images.
    init(resuming path: String, layout: CacheFileLayout, validChunks: Int, end: Int) throws {
        let old = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard old >= 0 else { throw CacheFileProblem("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(old) }
        unlink(path)
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheFileProblem("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.layout = layout
        self.end = end
        var copied = 0
        while copied < end {
            let n = sendfile(fd, old, nil, end - copied)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CacheFileProblem("cannot write \(path): \(String(cString: strerror(n < 0 ? errno : EIO)))") }
            copied += n
        }
        let cleared = (layout.chunks - validChunks) * 24
        if cleared > 0 { try write([UInt8](repeating: 0, count: cleared), at: layout.tableOffset + validChunks * 24) }
    }

    deinit { close(fd) }

    /// Appends chunk `c` (its encoded bytes) and then records it in the table.
    func append(_ chunk: [UInt8], as c: Int) throws {
        try write(chunk, at: end)
        let sum = chunk.withUnsafeBytes { checksum($0) }
        let entry = [UInt64(end), UInt64(chunk.count), sum].flatMap { word in withUnsafeBytes(of: word.littleEndian) { Array($0) } }
        try write(entry, at: layout.tableOffset + c * 24)
        end += chunk.count
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CacheFileProblem("cannot write \(path): \(String(cString: strerror(n < 0 ? errno : ENOSPC)))") }
            done += n
        }
    }
}

/// One chunk's bytes: the image count, one entry per image (kind << 56 | payload bytes), the declared sizes
/// (width << 32 | height), then the payloads.
func encodeChunk(_ items: [(kind: CacheEntryKind, payload: [UInt8], size: ImageSize)]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + 16 * items.count + items.reduce(0) { $0 + $1.payload.count })
    let words = [UInt64(items.count)] + items.map { $0.kind.rawValue << 56 | UInt64($0.payload.count) }
        + items.map { UInt64($0.size.width) << 32 | UInt64($0.size.height) }
    for word in words { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
    for item in items { bytes += item.payload }
    return bytes
}
