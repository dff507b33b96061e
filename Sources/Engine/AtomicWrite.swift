import Foundation

/// Writes `data` to `path` so that readers see either the old file or the whole new one:
/// a temporary file in the same folder, fsync, rename over the target, fsync of the folder.
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw EngineError("cannot write \(path): folder \(folder) does not exist")
    }
    let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw EngineError("cannot write \(path): \(String(cString: strerror(errno)))") }
    var failure: String?
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno)); return
            }
            offset += written
        }
    }
    if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw EngineError("cannot write \(path): \(failure); the previous file, if any, is unchanged")
    }
    let folderFD = open(folder, O_RDONLY)
    if folderFD >= 0 { fsync(folderFD); close(folderFD) }
}
