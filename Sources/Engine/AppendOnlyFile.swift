import Foundation

/// A file that grows while a session runs (a notebook, a training log), kept open and appended to.
///
/// Another program may replace the path meanwhile, by a symbolic link to some other file, by another file
/// or by nothing. Such a path is never followed: the file is opened without following a link in its last
/// component (`O_NOFOLLOW`), without blocking (a FIFO is refused, never waited on), and must be a regular
/// file; before each append the path must still name the same file (device and inode) as the open
/// descriptor, or the append fails saying what the path is now, and nothing is written anywhere.
public final class AppendOnlyFile {
    public let path: String
    private let descriptor: Int32
    private let device: UInt64
    private let inode: UInt64

    /// Opens `path` for appending; `create` makes it when missing. Throws the reason, without the path.
    public init(path: String, create: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        guard fd >= 0 else { throw EngineError(Self.openFailure(errno, path)) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw EngineError("it is not a regular file")
        }
        self.path = path
        descriptor = fd
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    deinit { close(descriptor) }

    /// The file's size now, in bytes.
    public var size: Int64 {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Checks that the path still names the opened file, then appends every byte and flushes to disk with `sync`.
    public func append(_ data: Data, sync: Bool = false) throws {
        try checkSameFile()
        let failure: Int32? = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw EngineError(String(cString: strerror(failure))) }
        if sync { fsync(descriptor) }
    }

    /// Throws what the path is now when it no longer names the opened file.
    public func checkSameFile() throws {
        var now = stat()
        guard lstat(path, &now) == 0 else {
            throw EngineError(errno == ENOENT ? "it was removed" : "it cannot be checked: \(String(cString: strerror(errno)))")
        }
        let kind = now.st_mode & S_IFMT
        if kind != S_IFREG { throw EngineError("it was replaced by \(Self.kindName(kind))") }
        if UInt64(now.st_dev) != device || UInt64(now.st_ino) != inode { throw EngineError("it was replaced by another file") }
    }

    /// Why `open` failed, in words: a link in the last component reads as such, not as the system's "too many levels".
    private static func openFailure(_ code: Int32, _ path: String) -> String {
        var info = stat()
        if code == ELOOP, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { return "it is a symbolic link, which is not followed" }
        if code == ENXIO { return "it is not a regular file" }  // a FIFO without a reader, refused instead of waited on
        return String(cString: strerror(code))
    }

    /// The kind of a file from its type bits, in words.
    private static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "something that is not a regular file"
        }
    }
}
