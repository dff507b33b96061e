import Vision

/// Every decoded image of a dataset at one cache size, kept in memory as 8-bit RGB in one block:
/// image i occupies bytes [i·w·h·3, (i+1)·w·h·3).
public final class ImageCache {
    public let width: Int
    public let height: Int
    public let count: Int
    let storage: UnsafeMutablePointer<UInt8>

    init(width: Int, height: Int, count: Int) {
        self.width = width
        self.height = height
        self.count = count
        storage = .allocate(capacity: max(1, width * height * 3 * count))
    }

    deinit { storage.deallocate() }

    /// Bytes held by the cache.
    public var bytes: Int { width * height * 3 * count }

    /// A copy of image `index`.
    public func image(_ index: Int) -> RGBImage {
        let size = width * height * 3
        return RGBImage(width: width, height: height, pixels: Array(UnsafeBufferPointer(start: storage + index * size, count: size)))
    }

    /// Stores `image`, which must have the cache's size, in slot `index` (slots are written from many threads, each its own).
    func store(_ image: RGBImage, at index: Int) {
        let size = width * height * 3
        image.pixels.withUnsafeBufferPointer { (storage + index * size).update(from: $0.baseAddress!, count: size) }
    }
}
