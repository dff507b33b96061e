import Foundation

/// Writes `data` to `path` so that readers see either the old file or the whole new one:
/// a temporary file in the same folder, fsync, rename over the target, fsync of the folder.
///
/// The target must be a regular file or absent: renaming over a FIFO, a device, a directory or a
/// symbolic link would replace something that is not a file this tool wrote. The temporary file gets
/// an unpredictable name and is created exclusively without following links (`O_CREAT|O_EXCL|O_NOFOLLOW`),
/// so a planted file or link cannot be written through; it is removed whenever the write fails
/// (a full disk, a file-size limit, an I/O error).
///
/// In a data-parallel job rank 0 alone writes, and every rank waits for it, so that any rank may read the file next.
public func writeAtomically(_ data: Data, to path: String) throws {
    defer { World.current.barrier() }
    guard World.current.isRoot else { return }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw EngineError("cannot write \(path): folder \(folder) does not exist")
    }
    var target = stat()
    if lstat(path, &target) == 0 && (target.st_mode & S_IFMT) != S_IFREG {
        throw EngineError("cannot write \(path): it exists and is not a regular file; nothing was written")
    }
    let (fd, temporary) = try createTemporaryFile(beside: url)
    var failure = writeAll(data, to: fd)
    if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
    if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw EngineError("cannot write \(path): \(failure); the previous file, if any, is unchanged")
    }
    let folderFD = open(folder, O_RDONLY | O_CLOEXEC)
    if folderFD >= 0 { fsync(folderFD); close(folderFD) }
}

/// A new file `.NAME.tmp-RANDOM` beside `url`, created exclusively (never an existing file or a link).
private func createTemporaryFile(beside url: URL) throws -> (fd: Int32, path: String) {
    let folder = url.deletingLastPathComponent().path
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<8 {
        let suffix = String(generator.next() as UInt64, radix: 36)
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-" + suffix
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd >= 0 { return (fd, temporary) }
        if errno != EEXIST { throw EngineError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
    }
    throw EngineError("cannot write \(url.path): no unused temporary name in \(folder)")
}

/// Writes every byte, retrying interrupted and short writes; the system's reason on failure.
private func writeAll(_ data: Data, to fd: Int32) -> String? {
    data.withUnsafeBytes { raw -> String? in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}
