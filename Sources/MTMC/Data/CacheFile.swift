import Foundation
import Vision

/// A disk cache file, read with `pread` into buffers: images are copied (raw) or decoded (JPEG) from what
/// each read returns, so the system's page cache, not the process, holds what is resident. The file is never
/// mapped: another program can truncate it while a session uses it, and a read of a mapping's lost page
/// faults (SIGBUS) whatever was checked before it, while a short `pread` is an answer. When reads come up
/// short, every image is read from its original file from then on, and the session is told once.
final class CacheFile {
    let path: String
    /// The file's size when it was opened.
    let length: Int
    /// Open for the object's lifetime: the file read stays this one even if another is made at `path`.
    private let descriptor: Int32
    let layout: CacheFileLayout
    /// Which slot of the file holds each image.
    let order: CacheOrder
    /// Per chunk, its table entry as read when the file was opened.
    private let table: [(offset: Int, length: Int, checksum: UInt64)]
    /// Per slot of the indexed chunks: where its payload lies in the file and what it holds.
    private(set) var entries: [(offset: Int, length: Int, kind: CacheEntryKind)] = []
    /// Per image of the indexed chunks: the size its source file declares (0×0 for a broken one).
    private(set) var sourceSizes: [ImageSize] = []
    /// Chunks checked against their checksums so far, and failures not yet reported.
    let checks: CacheChunkChecks
    /// Decodes an original file at the cache size: how the images of a chunk that fails its checksum are read.
    var sourceDecode: ((String) throws -> RGBImage)?
    /// The original file of every image (curation updates an entry when it moves a file).
    var sourcePaths: [String] = []
    /// The open file's device and inode: a corrupt chunk is marked in this file, never in one made since at the same path.
    private let identity: (device: UInt64, inode: UInt64)

    /// Opens `path`; throws the reason when it cannot be read or its header is not one of ours.
    init(opening path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CacheFileProblem("cannot open: \(String(cString: strerror(errno)))") }
        var closeOnFailure = true
        defer { if closeOnFailure { close(fd) } }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw CacheFileProblem("not a regular file") }
        let length = Int(info.st_size)
        guard let header = readBytes(fd, at: 0, count: CacheFileLayout.headerBytes) else {
            throw CacheFileProblem("shorter than its header (\(length) bytes)")
        }
        let layout = try header.withUnsafeBytes { try CacheFileLayout(decoding: $0) }
        guard layout.dataOffset <= length, let table = readBytes(fd, at: layout.tableOffset, count: layout.dataOffset - layout.tableOffset) else {
            throw CacheFileProblem("shorter than its chunk table (\(length) bytes)")
        }
        self.table = table.withUnsafeBytes { bytes in
            (0..<layout.chunks).map { c in
                let word = { (at: Int) in UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: c * 24 + at, as: UInt64.self)) }
                return (Int(truncatingIfNeeded: word(0)), Int(truncatingIfNeeded: word(8)), word(16))
            }
        }
        self.layout = layout
        self.path = path
        self.length = length
        descriptor = fd
        identity = (UInt64(info.st_dev), UInt64(info.st_ino))
        checks = CacheChunkChecks(chunks: layout.chunks)
        order = CacheOrder(images: layout.images, imagesPerChunk: layout.imagesPerChunk)
        closeOnFailure = false
    }

    deinit { close(descriptor) }

    /// `count` bytes at `offset`, nil when the file ends before them (cut short since it was opened) or a read fails.
    private func read(at offset: Int, count: Int) -> [UInt8]? { readBytes(descriptor, at: offset, count: count) }

    /// The manifest the file was made from, nil when its bytes fail their checksum.
    func manifest() -> TreeManifest? {
        guard let bytes = read(at: CacheFileLayout.headerBytes, count: layout.manifestBytes) else { return nil }
        return bytes.withUnsafeBytes { bytes in checksum(bytes) == layout.manifestChecksum ? TreeManifest(decoding: bytes) : nil }
    }

    /// Chunk `c`'s table entry.
    func chunk(_ c: Int) -> (offset: Int, length: Int, checksum: UInt64) { table[c] }

    /// Where chunk `c` would start: the end of the chunks before it.
    func end(ofChunks c: Int) -> Int { c == 0 ? layout.dataOffset : chunk(c - 1).offset + chunk(c - 1).length }

    /// The number of leading chunks that are written and whose entries add up, and why the next one is not
    /// usable (nil when it was simply not written yet). Checksums are not read here but when a chunk is first read.
    func writtenChunks() -> (count: Int, problem: String?) {
        var written = 0, problem: String?
        while written < layout.chunks {
            let (offset, size, _) = chunk(written)
            if UInt64(truncatingIfNeeded: offset) == CacheFileLayout.corruptMark {
                problem = "\(describe(chunk: written)) failed its checksum when read by an earlier session"
                break
            }
            guard size > 0, offset == end(ofChunks: written), offset <= length - size else {
                if size > 0 { problem = "\(describe(chunk: written)) lies outside the file (\(length) bytes)" }
                break
            }
            written += 1
        }
        if let bad = firstMalformedChunk(below: written) { return (bad, "the entries of \(describe(chunk: bad)) do not add up") }
        return (written, problem)
    }

    /// The first of chunks 0..<n whose entries do not add up, parsed on 32 threads: a cold read waits on the
    /// disk, and each chunk's entries are a few small reads scattered over the file.
    private func firstMalformedChunk(below n: Int) -> Int? {
        let parses = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(1, n))
        defer { parses.deallocate() }
        concurrentBlocking(iterations: n, threads: 32) { [self] c in parses[c] = parse(c) != nil }
        return (0..<n).first { !parses[$0] }
    }

    /// "chunk 3 of 7 (cache slots 9–12)": the images are stored in `CacheOrder`, so a chunk holds scattered image indices.
    private func describe(chunk c: Int) -> String {
        let images = layout.range(ofChunk: c)
        return "chunk \(c + 1) of \(layout.chunks) (cache slots \(images.lowerBound + 1)–\(images.upperBound))"
    }

    /// Chunk `c`'s image entries and declared sizes, nil when they do not add up to the chunk or cannot be read.
    private func parse(_ c: Int) -> [(offset: Int, length: Int, kind: CacheEntryKind, size: ImageSize)]? {
        let (offset, size, _) = chunk(c)
        let images = layout.range(ofChunk: c).count
        guard size >= 8 + 16 * images, let head = read(at: offset, count: 8 + 16 * images) else { return nil }
        return head.withUnsafeBytes { head in
            let word = { (at: Int) in UInt64(littleEndian: head.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard word(0) == UInt64(images) else { return nil }
            var result: [(offset: Int, length: Int, kind: CacheEntryKind, size: ImageSize)] = []
            var at = offset + 8 + 16 * images
            for i in 0..<images {
                let entry = word(8 + 8 * i), declared = word(8 + 8 * (images + i))
                let bytes = Int(entry & 0x00FF_FFFF_FFFF_FFFF)
                guard let kind = CacheEntryKind(rawValue: entry >> 56), bytes <= offset + size - at,
                      kind != .raw || bytes == layout.width * layout.height * 3 else { return nil }
                result.append((at, bytes, kind, ImageSize(width: Int(declared >> 32), height: Int(declared & 0xFFFF_FFFF))))
                at += bytes
            }
            return at == offset + size ? result : nil
        }
    }

    /// Reads every chunk's entries; returns the broken images' reasons by image index. Throws when a chunk
    /// is missing or does not add up (a file that did not read back as written).
    func index() throws -> [Int: String] {
        let parsed = try (0..<layout.chunks).flatMap { c in
            guard chunk(c).length > 0, chunk(c).offset <= length - chunk(c).length, let images = parse(c) else {
                throw CacheFileProblem("cannot read back chunk \(c + 1) of \(layout.chunks) of \(path)")
            }
            return images
        }
        entries = parsed.map { ($0.offset, $0.length, $0.kind) }
        sourceSizes = order.slots.map { parsed[$0].size }
        var broken: [Int: String] = [:]
        for (slot, entry) in entries.enumerated() where entry.kind == .broken {
            guard let reason = payload(slot: slot) else {
                throw CacheFileProblem("cannot read back cache slot \(slot + 1) of \(path)")
            }
            broken[order.images[slot]] = String(decoding: reason, as: UTF8.self)
        }
        return broken
    }

    /// Whether chunk `c` passes its checksum, checked on its first read. A failure marks the chunk in the file,
    /// so that the next load rebuilds the cache from there and says why.
    private func passesChecksum(_ c: Int) -> Bool {
        checks.passes(c, check: {
            let (offset, size, sum) = chunk(c)
            guard let bytes = read(at: offset, count: size) else { return false }
            return bytes.withUnsafeBytes { checksum($0) } == sum
        }, failed: {
            if let now = currentSize(), now < length {
                checks.failAll(reporting: cutShort(now))
                return nil
            }
            let marked = markCorrupt(c)
            return "cache: \(describe(chunk: c)) of \(path) fails its checksum; its images are read from the original files"
                + (marked ? ", and the next load rebuilds the cache from there" : "")
        })
    }

    /// The file's size now, nil when it cannot be asked.
    private func currentSize() -> Int? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
    }

    /// What the session is told when the file shrank under it: every image is read from its original file from then on.
    private func cutShort(_ size: Int) -> String {
        "cache: \(path) was cut short by another program while in use (\(length) bytes when loaded, \(size) now); "
            + "its images are read from the original files, and the next load rebuilds it"
    }

    /// Writes the corrupt mark into chunk `c`'s table entry, if the file at `path` is still the one open.
    private func markCorrupt(_ c: Int) -> Bool {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode else { return false }
        var mark = CacheFileLayout.corruptMark.littleEndian
        return pwrite(fd, &mark, 8, off_t(layout.tableOffset + c * 24)) == 8
    }

    /// Image `index` at the cache size; from its original file when its chunk fails its checksum or the cache
    /// file no longer holds it.
    func image(_ index: Int, width: Int, height: Int) throws -> RGBImage {
        let entry = entries[order.slots[index]]
        guard passesChecksum(order.chunk(ofImage: index)) else { return try fromSource(index) }
        guard let bytes = payload(slot: order.slots[index]) else {
            checks.failAll(reporting: cutShort(currentSize() ?? 0))
            return try fromSource(index)
        }
        switch entry.kind {
        case .raw:
            return RGBImage(width: width, height: height, pixels: bytes)
        case .jpeg:
            return try ImageDecoder().decode(Data(bytes), path: path)
        case .broken:
            throw CacheFileProblem("image \(index) was broken at load")
        }
    }

    /// The bytes slot `slot` holds (pixels, a JPEG or a reason), nil when the file no longer holds them.
    func payload(slot: Int) -> [UInt8]? { read(at: entries[slot].offset, count: entries[slot].length) }

    /// Image `index` decoded from its original file, for a chunk the cache file cannot give.
    private func fromSource(_ index: Int) throws -> RGBImage {
        guard let sourceDecode else { throw CacheFileProblem("image \(index) lies in a chunk of \(path) that cannot be read") }
        return try sourceDecode(sourcePaths[index])
    }

    /// Starts reading these images' bytes into the page cache in the background (POSIX_FADV_WILLNEED): each
    /// image's own bytes, or with `wholeChunks` each chunk they lie in, once and whole (one long sequential read
    /// instead of many small ones).
    func willNeed(_ indices: [Int], wholeChunks: Bool) {
        let known = indices.filter { $0 < order.slots.count && order.slots[$0] < entries.count }
        if wholeChunks {
            for c in Set(known.map(order.chunk(ofImage:))) {
                posix_fadvise(descriptor, off_t(chunk(c).offset), off_t(chunk(c).length), POSIX_FADV_WILLNEED)
            }
        } else {
            for i in known {
                let entry = entries[order.slots[i]]
                posix_fadvise(descriptor, off_t(entry.offset), off_t(entry.length), POSIX_FADV_WILLNEED)
            }
        }
    }

    /// Drops the file's pages from the page cache (POSIX_FADV_DONTNEED), so the next reads come from the disk.
    func evict() { posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED) }

    /// Bytes of the file now in the system's page cache (mincore over a mapping made for the question and
    /// dropped at once; mincore reads no page, so a file cut short meanwhile cannot fault): memory the system
    /// gives back under pressure, not the process's own.
    var residentBytes: Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = min(length, currentSize() ?? 0)
        guard size > 0, let base = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), base != MAP_FAILED else { return 0 }
        defer { munmap(base, size) }
        var present = [UInt8](repeating: 0, count: (size + page - 1) / page)
        guard mincore(base, size, &present) == 0 else { return 0 }
        return present.reduce(0) { $0 + Int($1 & 1) } * page
    }
}

/// `count` bytes of `fd` at `offset` (pread, retried on interruption and partial reads); nil when the file
/// ends before them or a read fails.
private func readBytes(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
    guard offset >= 0, count >= 0 else { return nil }
    var complete = true
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var done = 0
        while done < count {
            let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { complete = false; break }
            done += n
        }
        initialized = complete ? count : 0
    }
    return complete ? bytes : nil
}
