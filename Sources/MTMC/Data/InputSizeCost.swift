/// What an input size costs in memory, so that a user picking one (`set size 1024`) is told before a
/// reload or a training step takes gigabytes: the cache keeps every image at 8/7 of the input as 8-bit
/// RGB, and each training step holds a batch of float inputs (the network's activations come on top).
public struct InputSizeCost: Equatable {
    public let cacheWidth: Int
    public let cacheHeight: Int
    /// Bytes the cache takes per image.
    public let cacheBytesPerImage: Int
    /// Bytes of one batch of normalised float inputs.
    public let batchInputBytes: Int

    public init(input: (width: Int, height: Int), batchSize: Int) {
        let cache = Dataset.cacheSize(forInput: input)
        cacheWidth = cache.width
        cacheHeight = cache.height
        cacheBytesPerImage = cache.width * cache.height * 3
        batchInputBytes = batchSize * 3 * input.width * input.height * MemoryLayout<Float>.size
    }

    /// Bytes the cache of `images` images takes.
    public func cacheBytes(images: Int) -> Int { images * cacheBytesPerImage }
}

/// Bytes in words: "812 KB", "3.4 GB".
public func byteCount(_ bytes: Int) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) bytes" : (value < 10 ? "\((value * 10).rounded() / 10)" : "\(Int(value.rounded()))") + " " + units[unit]
}
