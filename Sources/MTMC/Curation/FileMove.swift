import Foundation

/// Why a file could not be moved; nothing was moved.
public struct FileMoveError: Error, CustomStringConvertible {
    public let description: String
}

/// Moves the file at `from` to `to` without ever replacing a file there: a hard link at `to` (which fails when
/// `to` exists), then the name `from` removed. Where hard links are not available, a rename after checking
/// that `to` is free. Creates `to`'s folder when `createFolder`. Throws the reason; on failure nothing moved.
func moveWithoutReplacing(_ from: String, to: String, createFolder: Bool) throws {
    let folder = (to as NSString).deletingLastPathComponent
    if createFolder {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw FileMoveError(description: "cannot make the folder \(folder): \(errorText(error))")
        }
    }
    if link(from, to) == 0 {
        guard unlink(from) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(to)
            throw FileMoveError(description: "cannot remove \(from) after linking it at \(to): \(reason)")
        }
        return
    }
    let code = errno
    if code == EEXIST { throw FileMoveError(description: "\(to) already exists; nothing replaced") }
    guard code == EPERM || code == ENOTSUP || code == EMLINK else {
        throw FileMoveError(description: "cannot move \(from) to \(to): \(String(cString: strerror(code)))")
    }
    guard FileStamp.current(to) == nil else { throw FileMoveError(description: "\(to) already exists; nothing replaced") }
    guard rename(from, to) == 0 else {
        throw FileMoveError(description: "cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
    }
}

/// An error's text without Foundation's wrapping when it carries a POSIX reason.
private func errorText(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    return ns.localizedDescription
}
