import Foundation

/// One entry of a listed folder and what a stat of it found.
struct FolderEntry: Equatable {
    let name: String
    let isFolder: Bool
    /// Bytes; −1 when the entry cannot be stat'ed (it then matches no later state of a disk cache's manifest).
    let size: Int64
    let modifiedNanoseconds: Int64
}

/// The entries of `folders`, each sorted by code point with dot-files left out, every entry stat'ed (following
/// links). Folders are read and entries stat'ed on `threads` threads (concurrentBlocking), each stat relative
/// to its open folder so the kernel does not walk the path again. Throws a `DatasetError` naming a folder that
/// cannot be read.
func listFolders(_ folders: [String], threads: Int = 32) throws -> [[FolderEntry]] {
    let opened = UnsafeMutableBufferPointer<OpaquePointer?>.allocate(capacity: folders.count)
    opened.initialize(repeating: nil)
    defer {
        for dir in opened { if let dir { closedir(dir) } }
        opened.deallocate()
    }
    let listed = UnsafeMutableBufferPointer<Result<[String], DatasetError>>.allocate(capacity: folders.count)
    listed.initialize(repeating: .success([]))
    defer { _ = listed.deinitialize(); listed.deallocate() }
    concurrentBlocking(iterations: folders.count, threads: threads) { f in
        guard let dir = opendir(folders[f]) else {
            listed[f] = .failure(DatasetError("cannot list \(folders[f]): \(String(cString: strerror(errno)))"))
            return
        }
        opened[f] = dir
        listed[f] = .success(sortedByCodePoint(readNames(dir)))
    }
    let names = try listed.map { try $0.get() }
    let flat = names.enumerated().flatMap { f, names in names.map { (folder: f, name: $0) } }
    let stats = UnsafeMutableBufferPointer<FolderEntry?>.allocate(capacity: max(1, flat.count))
    stats.initialize(repeating: nil)
    defer { _ = stats.deinitialize(); stats.deallocate() }
    concurrentBlocking(iterations: flat.count, threads: threads) { i in
        stats[i] = status(of: flat[i].name, in: dirfd(opened[flat[i].folder]!))
    }
    var result = [[FolderEntry]](repeating: [], count: folders.count)
    for (i, item) in flat.enumerated() { result[item.folder].append(stats[i]!) }
    return result
}

/// The names in an open folder, dot-files left out, in the order the file system gives them.
private func readNames(_ dir: OpaquePointer) -> [String] {
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) {
            String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
        }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names
}

/// `name` in the folder open as `folder`, stat'ed.
private func status(of name: String, in folder: Int32) -> FolderEntry {
    var info = stat()
    guard fstatat(folder, name, &info, 0) == 0 else { return FolderEntry(name: name, isFolder: false, size: -1, modifiedNanoseconds: 0) }
    return FolderEntry(name: name, isFolder: (info.st_mode & S_IFMT) == S_IFDIR, size: Int64(info.st_size),
                       modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
}
