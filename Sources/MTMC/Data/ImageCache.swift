import Foundation
import Vision

/// Where a dataset's decoded images live between epochs.
public enum CacheMode: String, CaseIterable, Equatable {
    /// One block of 8-bit RGB in RAM: fastest, costs every image's pixels.
    case memory
    /// A file under the cache folder, written once at load, read image by image, and reused by later loads.
    case disk
    /// Nothing kept: every read decodes the original file again.
    case none
}

/// Every image of a dataset at one cache size, as 8-bit RGB, whatever the storage behind it: readers
/// call `image(_:)` and never learn whether it came from RAM, a cache file or a fresh decode.
public final class ImageCache {
    public let width: Int
    public let height: Int
    public let count: Int
    /// The storage order and chunks (the disk cache's, carried by every mode so they plan identical epochs).
    public let order: CacheOrder
    private(set) var storage: Storage

    enum Storage {
        /// Image i occupies bytes [i·w·h·3, (i+1)·w·h·3).
        case memory(UnsafeMutablePointer<UInt8>)
        case disk(CacheFile)
        /// The original files, decoded on every read.
        case none(files: [String], decoder: ImageDecoder)
        /// Another cache's images, then images added since load (`label`), kept in RAM whatever the mode below.
        case extended(base: ImageCache, added: [RGBImage])
    }

    /// An in-memory cache to be filled with `store`.
    init(width: Int, height: Int, count: Int, order: CacheOrder) {
        self.width = width
        self.height = height
        self.count = count
        self.order = order
        storage = .memory(.allocate(capacity: max(1, width * height * 3 * count)))
    }

    init(width: Int, height: Int, count: Int, order: CacheOrder, storage: Storage) {
        self.width = width
        self.height = height
        self.count = count
        self.order = order
        self.storage = storage
    }

    deinit { if case .memory(let pixels) = storage { pixels.deallocate() } }

    /// Bytes the images take as raw pixels (what `memory` holds).
    public var bytes: Int { width * height * 3 * count }

    public var mode: CacheMode {
        switch storage {
        case .memory: return .memory
        case .disk: return .disk
        case .none: return .none
        case .extended(let base, _): return base.mode
        }
    }

    /// The cache file, in disk mode.
    public var filePath: String? {
        switch storage {
        case .disk(let file): return file.path
        case .extended(let base, _): return base.filePath
        default: return nil
        }
    }

    /// Bytes the cache takes on disk (the file's size; 0 unless disk).
    public var diskBytes: Int {
        switch storage {
        case .disk(let file): return file.length
        case .extended(let base, _): return base.diskBytes
        default: return 0
        }
    }

    /// Bytes of the cache now in RAM: all of it for memory; for disk, the file's pages in the system's page
    /// cache (reclaimable, and not in the process's resident set: images are read into buffers, never mapped).
    public var residentBytes: Int {
        switch storage {
        case .memory: return bytes
        case .disk(let file): return file.residentBytes
        case .none: return 0
        case .extended(let base, let added): return base.residentBytes + added.count * width * height * 3
        }
    }

    /// A copy of image `index`. An image that can no longer be read (a file of a `none` cache changed
    /// since load) comes back black rather than stopping a training run.
    public func image(_ index: Int) -> RGBImage {
        switch storage {
        case .memory(let pixels):
            let size = width * height * 3
            return RGBImage(width: width, height: height, pixels: Array(UnsafeBufferPointer(start: pixels + index * size, count: size)))
        case .disk(let file):
            return (try? file.image(index, width: width, height: height)) ?? RGBImage(width: width, height: height)
        case .none(let files, let decoder):
            return (try? decodeForCache(files[index], decoder: decoder, width: width, height: height)) ?? RGBImage(width: width, height: height)
        case .extended(let base, let added):
            return index < base.count ? base.image(index) : added[index - base.count]
        }
    }

    /// This cache with `image` (of the cache's size) as one more image, index `count`; the images before it are
    /// shared, not copied. The order gains a slot at its end.
    public func adding(_ image: RGBImage) -> ImageCache {
        precondition(image.width == width && image.height == height, "an added image has the cache's size")
        let storage: Storage
        if case .extended(let base, let added) = self.storage {
            storage = .extended(base: base, added: added + [image])
        } else {
            storage = .extended(base: self, added: [image])
        }
        return ImageCache(width: width, height: height, count: count + 1, order: order.adding(image: count), storage: storage)
    }

    /// The sizes the source files declare, by image, when the cache recorded them (a disk cache does, so a
    /// load that reuses it opens no source file).
    var recordedSourceSizes: [ImageSize]? { if case .disk(let file) = storage { return file.sourceSizes } else { return nil } }

    /// Problems found while reading since the last call (a disk cache chunk failing its checksum), for the
    /// session to print.
    public func takeProblems() -> [String] {
        switch storage {
        case .disk(let file): return file.checks.takeUnreported()
        case .extended(let base, _): return base.takeProblems()
        default: return []
        }
    }

    /// Asks the system to start reading these images now, so a later `image` call finds them in memory; with
    /// `wholeChunks`, the whole chunks they lie in (for an epoch planned chunk by chunk).
    public func prefetch(_ indices: [Int], wholeChunks: Bool = false) {
        switch storage {
        case .disk(let file): file.willNeed(indices, wholeChunks: wholeChunks)
        case .extended(let base, _): base.prefetch(indices.filter { $0 < base.count }, wholeChunks: wholeChunks)
        default: break
        }
    }

    /// Drops a disk cache's pages from the system's page cache (for measuring reads from the disk itself).
    public func evictFromPageCache() {
        switch storage {
        case .disk(let file): file.evict()
        case .extended(let base, _): base.evictFromPageCache()
        default: break
        }
    }

    /// Points image `index`'s reads from its original file at `path`, where curation moved the file: a `none`
    /// cache decodes from there, and a disk cache reads from there the images of a chunk it cannot give.
    /// Called between commands, never while images are read.
    func moveSource(of index: Int, to path: String) {
        switch storage {
        case .memory: break
        case .disk(let file): file.sourcePaths[index] = path
        case .none(var files, let decoder):
            files[index] = path
            storage = .none(files: files, decoder: decoder)
        case .extended(let base, _):
            // Added images are held in memory; only the base reads from files.
            if index < base.count { base.moveSource(of: index, to: path) }
        }
    }

    /// The original file image `index` is read from when the cache does not hold it (nil: the cache holds every image).
    public func sourcePath(of index: Int) -> String? {
        switch storage {
        case .memory: return nil
        case .disk(let file): return file.sourcePaths[index]
        case .none(let files, _): return files[index]
        case .extended(let base, _): return index < base.count ? base.sourcePath(of: index) : nil
        }
    }

    /// Stores `image`, which must have the cache's size, in slot `index` (slots are written from many threads, each its own).
    func store(_ image: RGBImage, at index: Int) {
        guard case .memory(let pixels) = storage else { return }
        let size = width * height * 3
        image.pixels.withUnsafeBufferPointer { (pixels + index * size).update(from: $0.baseAddress!, count: size) }
    }
}

/// A file decoded and resized to the cache size, the same bytes whichever storage keeps them.
func decodeForCache(_ path: String, decoder: ImageDecoder, width: Int, height: Int) throws -> RGBImage {
    resized(try decoder.decode(file: path), width: width, height: height)
}
