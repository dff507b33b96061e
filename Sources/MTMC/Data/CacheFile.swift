import Foundation
import Vision

/// A disk cache file mapped read-only into memory: images are copied (raw) or decoded (JPEG) straight
/// from the mapping, so the system's page cache, not the process, holds what is resident.
final class CacheFile {
    let path: String
    let length: Int
    let base: UnsafeRawPointer
    let layout: CacheFileLayout
    /// Which slot of the file holds each image.
    let order: CacheOrder
    /// Per slot of the indexed chunks: where its payload lies in the file and what it holds.
    private(set) var entries: [(offset: Int, length: Int, kind: CacheEntryKind)] = []
    /// Per image of the indexed chunks: the size its source file declares (0×0 for a broken one).
    private(set) var sourceSizes: [ImageSize] = []
    /// Chunks checked against their checksums so far, and failures not yet reported.
    let checks: CacheChunkChecks
    /// Decodes image i from its original file: how the images of a chunk that fails its checksum are read.
    var sourceDecode: ((Int) throws -> RGBImage)?
    /// The mapped file's device and inode: a corrupt chunk is marked in this file, never in one made since at the same path.
    private let identity: (device: UInt64, inode: UInt64)

    /// Maps `path`; throws the reason when it cannot be read or its header is not one of ours.
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CacheFileProblem("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw CacheFileProblem("not a regular file") }
        let length = Int(info.st_size)
        guard length >= CacheFileLayout.headerBytes else { throw CacheFileProblem("shorter than its header (\(length) bytes)") }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw CacheFileProblem("cannot map: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.length = length
        identity = (UInt64(info.st_dev), UInt64(info.st_ino))
        base = UnsafeRawPointer(mapped)
        do {
            layout = try CacheFileLayout(decoding: UnsafeRawBufferPointer(start: base, count: length))
        } catch {
            munmap(mapped, length)
            throw error
        }
        checks = CacheChunkChecks(chunks: layout.chunks)
        order = CacheOrder(images: layout.images, imagesPerChunk: layout.imagesPerChunk)
        guard layout.dataOffset <= length else {
            munmap(mapped, length)
            throw CacheFileProblem("shorter than its chunk table (\(length) bytes)")
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    private func word(at offset: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }

    /// The manifest the file was made from, nil when its bytes fail their checksum.
    func manifest() -> TreeManifest? {
        let bytes = UnsafeRawBufferPointer(start: base + CacheFileLayout.headerBytes, count: layout.manifestBytes)
        guard checksum(bytes) == layout.manifestChecksum else { return nil }
        return TreeManifest(decoding: bytes)
    }

    /// Chunk `c`'s table entry.
    func chunk(_ c: Int) -> (offset: Int, length: Int, checksum: UInt64) {
        let at = layout.tableOffset + c * 24
        return (Int(truncatingIfNeeded: word(at: at)), Int(truncatingIfNeeded: word(at: at + 8)), word(at: at + 16))
    }

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

    /// The first of chunks 0..<n whose entries do not add up, parsed on 32 threads (a cold read waits on the disk)
    /// with the mapping marked random-access: otherwise each fault on a cold file reads ahead around a chunk's
    /// first bytes (8 MB here), one chunk after another, 43 s for the 5,000 chunks of a 2.9 GB cache.
    private func firstMalformedChunk(below n: Int) -> Int? {
        let parses = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(1, n))
        defer { parses.deallocate() }
        let mapping = UnsafeMutableRawPointer(mutating: base)
        madvise(mapping, length, MADV_RANDOM)
        defer { madvise(mapping, length, MADV_NORMAL) }
        concurrentBlocking(iterations: n, threads: 32) { [self] c in
            parses[c] = parse(c) != nil
            release(chunk(c).offset, chunk(c).length)
        }
        return (0..<n).first { !parses[$0] }
    }

    /// "chunk 3 of 7 (cache slots 9–12)": the images are stored in `CacheOrder`, so a chunk holds scattered image indices.
    private func describe(chunk c: Int) -> String {
        let images = layout.range(ofChunk: c)
        return "chunk \(c + 1) of \(layout.chunks) (cache slots \(images.lowerBound + 1)–\(images.upperBound))"
    }

    /// Chunk `c`'s image entries and declared sizes, nil when they do not add up to the chunk.
    private func parse(_ c: Int) -> [(offset: Int, length: Int, kind: CacheEntryKind, size: ImageSize)]? {
        let (offset, size, _) = chunk(c)
        let images = layout.range(ofChunk: c).count
        guard size >= 8 + 16 * images, word(at: offset) == UInt64(images) else { return nil }
        var result: [(offset: Int, length: Int, kind: CacheEntryKind, size: ImageSize)] = []
        var at = offset + 8 + 16 * images
        for i in 0..<images {
            let entry = word(at: offset + 8 + 8 * i), declared = word(at: offset + 8 + 8 * (images + i))
            let bytes = Int(entry & 0x00FF_FFFF_FFFF_FFFF)
            guard let kind = CacheEntryKind(rawValue: entry >> 56), bytes <= offset + size - at,
                  kind != .raw || bytes == layout.width * layout.height * 3 else { return nil }
            result.append((at, bytes, kind, ImageSize(width: Int(declared >> 32), height: Int(declared & 0xFFFF_FFFF))))
            at += bytes
        }
        return at == offset + size ? result : nil
    }

    /// Reads every chunk's entries; returns the broken images' reasons by image index. Throws when a chunk
    /// is missing or does not add up (a file that did not read back as written).
    /// Each chunk is unmapped after its entries are read: reading a few bytes of a chunk can map a whole large
    /// folio of the page cache (megabytes), which unmapping just those bytes would leave in the resident set
    /// (measured: 750 MB of a 2.9 GB cache after load).
    func index() throws -> [Int: String] {
        let parsed = try (0..<layout.chunks).flatMap { c in
            guard chunk(c).length > 0, chunk(c).offset <= length - chunk(c).length, let images = parse(c) else {
                throw CacheFileProblem("cannot read back chunk \(c + 1) of \(layout.chunks) of \(path)")
            }
            release(chunk(c).offset, chunk(c).length)
            return images
        }
        entries = parsed.map { ($0.offset, $0.length, $0.kind) }
        sourceSizes = order.slots.map { parsed[$0].size }
        var broken: [Int: String] = [:]
        for (slot, entry) in entries.enumerated() where entry.kind == .broken {
            broken[order.images[slot]] = String(decoding: UnsafeRawBufferPointer(start: base + entry.offset, count: entry.length), as: UTF8.self)
        }
        return broken
    }

    /// Whether chunk `c` passes its checksum, checked on its first read. A failure marks the chunk in the file,
    /// so that the next load rebuilds the cache from there and says why.
    private func passesChecksum(_ c: Int) -> Bool {
        checks.passes(c, check: {
            let (offset, size, sum) = chunk(c)
            defer { release(offset, size) }
            return checksum(UnsafeRawBufferPointer(start: base + offset, count: size)) == sum
        }, failed: {
            let marked = markCorrupt(c)
            return "cache: \(describe(chunk: c)) of \(path) fails its checksum; its images are read from the original files"
                + (marked ? ", and the next load rebuilds the cache from there" : "")
        })
    }

    /// Writes the corrupt mark into chunk `c`'s table entry, if the file at `path` is still the one mapped.
    private func markCorrupt(_ c: Int) -> Bool {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode else { return false }
        var mark = CacheFileLayout.corruptMark.littleEndian
        return pwrite(fd, &mark, 8, off_t(layout.tableOffset + c * 24)) == 8
    }

    /// Image `index` at the cache size.
    func image(_ index: Int, width: Int, height: Int) throws -> RGBImage {
        guard passesChecksum(order.chunk(ofImage: index)) else {
            guard let sourceDecode else { throw CacheFileProblem("image \(index) lies in a chunk that fails its checksum") }
            return try sourceDecode(index)
        }
        let entry = entries[order.slots[index]]
        let bytes = UnsafeRawBufferPointer(start: base + entry.offset, count: entry.length)
        defer { release(entry.offset, entry.length) }
        switch entry.kind {
        case .raw:
            return RGBImage(width: width, height: height, pixels: Array(bytes.bindMemory(to: UInt8.self)))
        case .jpeg:
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), count: bytes.count, deallocator: .none)
            return try ImageDecoder().decode(data, path: path)
        case .broken:
            throw CacheFileProblem("image \(index) was broken at load")
        }
    }

    /// Unmaps the pages of [offset, offset + count) from this process (MADV_DONTNEED): the system's page cache
    /// keeps them while memory allows, so a later read is a minor fault, but the process's resident set does
    /// not grow to the whole file over an epoch. Safe on a shared file mapping even while another thread
    /// reads a neighbouring image on the same page: its access faults the page back in.
    /// The range is widened to whole 2 MiB blocks: a read may have mapped the whole large folio of the page
    /// cache around it (up to 2 MiB), and unmapping only its own pages would leave the rest resident.
    private func release(_ offset: Int, _ count: Int) {
        let block = 2 << 20
        let start = offset / block * block, end = min(length, (offset + count + block - 1) / block * block)
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// Starts reading these images' pages in the background (madvise WILLNEED): each image's own bytes, or with
    /// `wholeChunks` each chunk they lie in, once and whole (one long sequential read instead of many small ones).
    func willNeed(_ indices: [Int], wholeChunks: Bool) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        func advise(_ offset: Int, _ count: Int) {
            let start = offset / page * page
            madvise(UnsafeMutableRawPointer(mutating: base + start), offset + count - start, MADV_WILLNEED)
        }
        let known = indices.filter { $0 < order.slots.count && order.slots[$0] < entries.count }
        if wholeChunks {
            for c in Set(known.map(order.chunk(ofImage:))) { advise(chunk(c).offset, chunk(c).length) }
        } else {
            for i in known { advise(entries[order.slots[i]].offset, entries[order.slots[i]].length) }
        }
    }

    /// Drops the file's pages from memory: unmapped from this process (MADV_DONTNEED) and evicted from the
    /// page cache (POSIX_FADV_DONTNEED), so the next reads come from the disk.
    func evict() {
        madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); close(fd) }
    }

    /// Bytes of the file now in the system's page cache (mincore over the mapping): memory the system
    /// gives back under pressure, not the process's own.
    var residentBytes: Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (length + page - 1) / page
        var present = [UInt8](repeating: 0, count: pages)
        guard mincore(UnsafeMutableRawPointer(mutating: base), length, &present) == 0 else { return 0 }
        return present.reduce(0) { $0 + Int($1 & 1) } * page
    }
}
