import Foundation

/// Why a path could not be read as a regular file: the system's reason, or what kind of file it is.
public struct FileReadError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

/// The bytes of a regular file. The file is opened without blocking, so a FIFO or a device named by
/// mistake (or by an attacker) is refused from its type instead of hanging the session on `open` or
/// reading forever; directories and sockets are refused the same way. `mapped` maps the file instead
/// of copying it, for large checkpoints.
public func readRegularFile(_ path: String, mapped: Bool = false) throws -> Data {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileReadError(path: path, reason: "not a regular file (\(fileKind(info.st_mode)))") }
    let size = Int(info.st_size)
    if mapped && size > 0, let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED {
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }
    var data = Data(count: size)
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
    return data.prefix(offset)
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
