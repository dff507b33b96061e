import Foundation

/// Why a path could not be read as a regular file: the system's reason, or what kind of file it is.
public struct FileReadError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

/// The bytes of a regular file, read into memory. The file is opened without blocking, so a FIFO or a device
/// named by mistake (or by an attacker) is refused from its type instead of hanging the session on `open` or
/// reading forever; directories and sockets are refused the same way. The file is never mapped: a mapping of a
/// file that another program truncates faults (SIGBUS) on the next read of a lost page, which no error check
/// can catch. A file that changes while it is read (its size, modification or inode change time move) is
/// refused, so the caller never parses a mix of two versions as one.
public func readRegularFile(_ path: String) throws -> Data {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var before = stat()
    guard fstat(fd, &before) == 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    guard (before.st_mode & S_IFMT) == S_IFREG else { throw FileReadError(path: path, reason: "not a regular file (\(fileKind(before.st_mode)))") }
    var data = Data(count: Int(before.st_size))
    var offset = 0
    let failure: Int32? = data.withUnsafeMutableBytes { raw in
        while offset < raw.count {
            let n = read(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 { if errno == EINTR { continue }; return errno }
            if n == 0 { break }
            offset += n
        }
        return nil
    }
    if let failure { throw FileReadError(path: path, reason: String(cString: strerror(failure))) }
    var after = stat()
    guard fstat(fd, &after) == 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    guard offset == Int(before.st_size), sameVersion(before, after) else {
        throw FileReadError(path: path, reason: "it changed while being read (\(before.st_size) bytes at the start, \(after.st_size) at the end, "
                            + "\(offset) read); another program is writing it: try again once it is complete")
    }
    return data
}

/// Whether two `fstat`s of one open file saw the same contents: same size, same modification and change times.
private func sameVersion(_ a: stat, _ b: stat) -> Bool {
    a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec
        && a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec
}

/// The kind of a file from its mode, in words.
public func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "an unknown kind of file"
    }
}
