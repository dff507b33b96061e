import Engine

/// The order a disk cache stores a dataset's images in, and the chunks that order cuts them into, in every
/// cache mode: a fixed, seeded shuffle of the image indices, so each chunk holds a mix of classes and an epoch
/// that reads chunks whole (`set order chunks`) still sees every class in every batch. Memory and none caches
/// carry the same order and chunks as the disk cache of the same options, so the three give identical batches.
public struct CacheOrder: Equatable {
    /// Images per chunk (the last chunk may hold fewer).
    public let imagesPerChunk: Int
    /// Slot (position in the cache file) of each image.
    let slots: [Int]
    /// Image at each slot.
    let images: [Int]

    /// The seed of the storage shuffle: fixed, so the order depends only on the number of images.
    static let seed: UInt64 = 0x4D54_4D43_4F52_4452  // "MTMCORDR"

    public init(images count: Int, imagesPerChunk: Int) {
        var images = Array(0..<count)
        var rng = RandomGenerator(seed: CacheOrder.seed)
        rng.shuffle(&images)
        var slots = [Int](repeating: 0, count: count)
        for (slot, image) in images.enumerated() { slots[image] = slot }
        self.imagesPerChunk = max(1, imagesPerChunk)
        self.slots = slots
        self.images = images
    }

    /// This order with image `index` (the next index) in a new last slot, as an image added after load is stored.
    func adding(image index: Int) -> CacheOrder {
        CacheOrder(imagesPerChunk: imagesPerChunk, slots: slots + [images.count], images: images + [index])
    }

    private init(imagesPerChunk: Int, slots: [Int], images: [Int]) {
        self.imagesPerChunk = imagesPerChunk
        self.slots = slots
        self.images = images
    }

    public var chunks: Int { (images.count + imagesPerChunk - 1) / imagesPerChunk }

    /// The chunk holding image `index`.
    public func chunk(ofImage index: Int) -> Int { slots[index] / imagesPerChunk }

    /// The images of chunk `c`, in the order they are stored.
    func images(inChunk c: Int) -> ArraySlice<Int> { images[(c * imagesPerChunk)..<min(images.count, (c + 1) * imagesPerChunk)] }
}
