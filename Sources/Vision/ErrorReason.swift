import Foundation

/// An error as a user should read it. Foundation's errors print as internal domains and codes
/// ("The operation could not be completed. (NSCocoaErrorDomain error 642.)"); the POSIX reason under
/// them ("No space left on device") is what says what went wrong.
public func errorReason(_ error: Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
        case NSFileWriteOutOfSpaceError: return "no space left on device"
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileReadCorruptFileError: return "not readable as expected"
        default: return "error \(ns.code) while reading or writing"
        }
    }
    return "\(error)"
}
