import Foundation

/// How `load` keeps a dataset's decoded images (`set cache`, `set cachedir`, `set cacheformat`).
public struct CacheOptions: Equatable {
    /// nil: memory while the estimate fits `memoryBudget`, disk beyond.
    public var mode: CacheMode?
    /// Folder of disk cache files, one per dataset and cache size.
    public var folder: String
    /// How a disk cache stores images. JPEG by default: a disk cache is for datasets too large for memory,
    /// where raw pixels take several times the source JPEGs' size (BENCHMARKS.md) and JPEG about as much.
    public var format: CacheFormat
    /// Quality of JPEG re-encoding in a disk cache.
    public var jpegQuality = 90
    /// Bytes the automatic choice lets a memory cache take: a quarter of RAM.
    public var memoryBudget = CacheOptions.physicalMemory / 4
    /// Images per disk chunk; nil: about 8 MB of pixels a chunk.
    public var imagesPerChunk: Int?

    public init(mode: CacheMode? = nil, folder: String = CacheOptions.defaultFolder, format: CacheFormat = .jpeg) {
        self.mode = mode
        self.folder = folder
        self.format = format
    }

    /// $XDG_CACHE_HOME/mtmc, else ~/.cache/mtmc.
    public static var defaultFolder: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/mtmc" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/mtmc"
    }

    public static var physicalMemory: Int { Int(ProcessInfo.processInfo.physicalMemory) }

    /// The mode for `images` images of `bytesPerImage` pixels each, and why, in words for `load`.
    public func choose(images: Int, bytesPerImage: Int, width: Int, height: Int) -> (mode: CacheMode, why: String) {
        let estimate = "\(byteCount(images * bytesPerImage)) estimated for \(images) images at \(width)×\(height)"
        if let mode { return (mode, "set cache; \(estimate)") }
        let fits = images * bytesPerImage <= memoryBudget
        return (fits ? .memory : .disk, "auto: \(estimate), " + (fits ? "within" : "more than")
                + " a quarter of RAM, \(byteCount(memoryBudget))")
    }

    /// The cache file of the dataset at `root` for one cache size: named for the folder and a hash of its full path.
    public func filePath(root: String, width: Int, height: Int) -> String {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        let name = String(URL(fileURLWithPath: absolute).lastPathComponent.unicodeScalars.map {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
        let hash = Array(absolute.utf8).withUnsafeBytes { checksum($0) }
        return folder + "/\(name)-\(String(hash, radix: 16))-\(width)x\(height)-\(format.rawValue).mtmccache"
    }

    /// Images per chunk for this image size.
    func chunkImages(bytesPerImage: Int) -> Int { imagesPerChunk ?? max(1, min(1024, 8_000_000 / max(1, bytesPerImage))) }
}
