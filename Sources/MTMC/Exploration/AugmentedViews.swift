import Engine
import Vision

/// `count` training views of a cached image as the trainer makes them (same resampling, affine or crop,
/// flip, jitter, RandAugment), turned back into 8-bit pixels for looking at. View i draws from the
/// generator derived from (seed, i), so the same seed shows the same views.
public func augmentedViews(_ image: RGBImage, count: Int, input: (width: Int, height: Int), settings: AugmentationSettings,
                           seed: UInt64) -> [RGBImage] {
    // Mean 0 and std 1 leave the values in [0, 1]: the picture itself rather than what the network gets.
    let identity = Normalization(mean: [0, 0, 0], std: [1, 1, 1])
    let area = input.width * input.height
    var planes = [Float](repeating: 0, count: 3 * area)
    return (0..<count).map { i in
        var rng = RandomGenerator.derived(seed: seed, i, 0)
        planes.withUnsafeMutableBufferPointer {
            writeAugmented(image, width: input.width, height: input.height, settings: settings, normalization: identity,
                           rng: &rng, into: $0.baseAddress!)
        }
        var pixels = [UInt8](repeating: 0, count: 3 * area)
        for p in 0..<area {
            for c in 0..<3 { pixels[p * 3 + c] = UInt8(max(0, min(255, (planes[c * area + p] * 255).rounded()))) }
        }
        return RGBImage(width: input.width, height: input.height, pixels: pixels)
    }
}

/// `count` items spread evenly over `items` (all of them when there are fewer), first included.
public func evenlySpaced<T>(_ items: [T], count: Int) -> [T] {
    guard items.count > count else { return items }
    return (0..<count).map { items[$0 * items.count / count] }
}
