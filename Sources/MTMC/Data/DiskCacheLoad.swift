import Dispatch
import Foundation
import Vision

/// What a load found of an earlier disk cache: how many leading chunks it can keep, and why it keeps fewer than all.
private struct ExistingCache {
    var validChunks = 0
    var end = 0
    /// The opened file when every chunk can be kept.
    var file: CacheFile?
    /// Nil when the file is missing (a first build) or was cut short by an interruption (resumed silently but for a count).
    var problem: String?
    var exists = false
}

extension LoadJob {
    /// Loads through the disk cache file of `options`: reused when it matches the files and its chunks add up,
    /// continued when it was cut short, rebuilt (saying why) when stale or corrupt. Chunk checksums are checked
    /// on first read (CacheChunkChecks). When the file cannot be written (disk full), the partial file is
    /// removed and the images are read with `none`.
    func loadDiskCache(_ options: CacheOptions, notes: inout [String]) throws -> (ImageCache, [ImageError?]) {
        let start = DispatchTime.now().uptimeNanoseconds
        let files = TreeManifest(root: root, files: tree.files)
        let manifest = files.encoded()
        let bytesPerImage = decode.width * decode.height * 3
        let layout = CacheFileLayout(width: decode.width, height: decode.height, images: total,
                                     imagesPerChunk: options.chunkImages(bytesPerImage: bytesPerImage), format: options.format,
                                     pixelLimit: decode.decoder.pixelLimit, jpegQuality: options.jpegQuality,
                                     manifestBytes: manifest.count, manifestChecksum: manifest.withUnsafeBytes { checksum($0) })
        let path = options.filePath(root: root, width: decode.width, height: decode.height)
        let existing = inspect(path, layout: layout, manifest: files)
        if let file = existing.file {
            let broken = try ready(file)
            notes.append("cache: reused \(path), \(byteCount(file.length)) on disk, checked in \(seconds(since: start))")
            return (ImageCache(width: decode.width, height: decode.height, count: total, order: order, storage: .disk(file)), failures(broken))
        }
        if let problem = existing.problem {
            notes.append("cache: rebuilding \(path)" + (existing.validChunks > 0 ? " from image \(layout.range(ofChunk: existing.validChunks).lowerBound + 1)" : "")
                         + ": \(problem)")
        } else if existing.validChunks > 0 {
            notes.append("cache: continuing the partial cache \(path) from image \(layout.range(ofChunk: existing.validChunks).lowerBound + 1) of \(total)")
        }
        do {
            let writer = existing.exists && existing.validChunks > 0
                ? try CacheFileWriter(resuming: path, layout: layout, validChunks: existing.validChunks, end: existing.end)
                : try CacheFileWriter(creating: path, layout: layout, manifest: manifest)
            try write(writer, from: existing.validChunks)
            let file = try CacheFile(opening: path)
            let broken = try ready(file)
            notes.append("cache: wrote \(path) in \(seconds(since: start)), \(byteCount(file.length)) on disk")
            return (ImageCache(width: decode.width, height: decode.height, count: total, order: order, storage: .disk(file)), failures(broken))
        } catch let problem as CacheFileProblem {
            unlink(path)
            notes.append("cache: \(problem); the partial cache file was removed; this dataset is read with cache none")
            return (noneCache(), try decodeAll { _, _ in })
        }
    }

    /// Decodes, encodes and appends chunks `first`… to the file, each holding its images in `order`; cancelling keeps
    /// the chunks written.
    private func write(_ writer: CacheFileWriter, from first: Int) throws {
        let layout = writer.layout
        for c in first..<layout.chunks {
            let range = layout.range(ofChunk: c)
            if isCancelled() {
                throw cancelled(after: range.lowerBound, kept: "the partial cache (\(c) of \(layout.chunks) chunks) is kept in \(writer.path) and the next load continues it")
            }
            let results = decode.decode(Array(order.images(inChunk: c))) { index, image -> ([UInt8], ImageSize) in
                let declared = try ImageDecoder.declaredSize(file: decode.files[index])
                return (layout.format == .raw ? image.pixels : [UInt8](try JPEG.encode(image, quality: layout.jpegQuality)),
                        ImageSize(width: declared.width, height: declared.height))
            }
            try writer.append(encodeChunk(results.map {
                switch $0 {
                case .success(let (payload, size)): return (layout.format == .raw ? .raw : .jpeg, payload, size)
                case .failure(let error): return (.broken, Array(error.reason.utf8), ImageSize(width: 0, height: 0))
                }
            }), as: c)
            progress(range.upperBound, total)
        }
    }

    /// How much of the file at `path` a load can keep.
    private func inspect(_ path: String, layout: CacheFileLayout, manifest: TreeManifest) -> ExistingCache {
        guard FileManager.default.fileExists(atPath: path) else { return ExistingCache() }
        let file: CacheFile
        do { file = try CacheFile(opening: path) } catch {
            return ExistingCache(problem: "the file is corrupt: \(error)", exists: true)
        }
        guard let made = file.manifest() else { return ExistingCache(problem: "the file is corrupt: its file list fails its checksum", exists: true) }
        if let changes = manifest.changes(since: made) { return ExistingCache(problem: "stale: \(changes)", exists: true) }
        if file.layout.pixelLimit != layout.pixelLimit {
            return ExistingCache(problem: "stale: made with pixel limit \(file.layout.pixelLimit), now \(layout.pixelLimit)", exists: true)
        }
        guard file.layout == layout else { return ExistingCache(problem: "stale: made with another chunk size or JPEG quality", exists: true) }
        let (valid, problem) = file.writtenChunks()
        return ExistingCache(validChunks: valid, end: file.end(ofChunks: valid), file: valid == layout.chunks ? file : nil,
                             problem: problem.map { "the file is corrupt: \($0)" }, exists: true)
    }

    /// Indexes `file` and lets it read the images of a chunk that fails its checksum from their files;
    /// returns the broken images' reasons by index.
    private func ready(_ file: CacheFile) throws -> [Int: String] {
        let decode = decode
        file.sourcePaths = decode.files
        file.sourceDecode = { path in
            try decodeForCache(path, decoder: decode.decoder, width: decode.width, height: decode.height)
        }
        return try file.index()
    }

    /// The broken images recorded in a cache file, by index, as load errors.
    private func failures(_ broken: [Int: String]) -> [ImageError?] {
        var failures = [ImageError?](repeating: nil, count: total)
        for (index, reason) in broken { failures[index] = ImageError(path: decode.files[index], reason: reason) }
        return failures
    }
}

/// Seconds since `start` (uptime nanoseconds), as "1.23 s".
private func seconds(since start: UInt64) -> String {
    String(format: "%.2f s", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
