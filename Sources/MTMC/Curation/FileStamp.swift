import Foundation

/// A file's size and modification time, as a scan saw them: equal stamps mean the file is the one that was decoded.
public struct FileStamp: Equatable {
    public let size: Int64
    public let modifiedNanoseconds: Int64

    /// The stamp of the file at `path` now, following links as a scan does; nil when nothing is there.
    public static func current(_ path: String) -> (stamp: FileStamp, isRegularFile: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (FileStamp(size: Int64(info.st_size), modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)),
                (info.st_mode & S_IFMT) == S_IFREG)
    }
}
