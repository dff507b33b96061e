import Dispatch
import Engine
import Foundation

/// What an audit needs of one cached image: an exact hash, a perceptual hash, and its brightness spread.
public struct ImageFingerprint: Equatable {
    public let pixelHash: UInt64
    public let differenceHash: UInt64
    /// Mean and standard deviation of the brightness (0–255).
    public let meanBrightness: Double
    public let brightnessSpread: Double
    /// Mean red, green and blue (0–255, rounded).
    public let meanColour: (red: UInt8, green: UInt8, blue: UInt8)

    public static func == (a: ImageFingerprint, b: ImageFingerprint) -> Bool {
        a.pixelHash == b.pixelHash && a.differenceHash == b.differenceHash && a.meanBrightness == b.meanBrightness
            && a.brightnessSpread == b.brightnessSpread && a.meanColour == b.meanColour
    }
}

/// Fingerprints of the cache images `images`, in their order, computed on `threads` threads from the
/// decoded cache. `progress` gets (done, total) now and then; `isCancelled` is polled every 64 images and
/// stops the work with `Cancelled`.
public func fingerprints(_ dataset: Dataset, images: [Int], threads: Int = HostResources.inUse.threads,
                         isCancelled: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }) throws -> [ImageFingerprint] {
    let empty = ImageFingerprint(pixelHash: 0, differenceHash: 0, meanBrightness: 0, brightnessSpread: 0, meanColour: (0, 0, 0))
    var result = [ImageFingerprint](repeating: empty, count: images.count)
    let chunks = max(1, min(threads, images.count))
    try withoutActuallyEscaping(isCancelled) { poll in
        try withoutActuallyEscaping(progress) { report in
            let shared = SharedProgress(total: images.count, report: report, poll: poll)
            result.withUnsafeMutableBufferPointer { out in
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var since = 0
                    for row in (images.count * chunk / chunks)..<(images.count * (chunk + 1) / chunks) {
                        out[row] = fingerprint(dataset, image: images[row])
                        since += 1
                        if since == 64 {
                            if shared.add(since) { return }
                            since = 0
                        }
                    }
                    _ = shared.add(since)
                }
            }
            if shared.cancelled { throw Cancelled(what: "stopped after \(shared.done) of \(images.count) images") }
        }
    }
    return result
}
/// The fingerprint of one cache image.
func fingerprint(_ dataset: Dataset, image index: Int) -> ImageFingerprint {
    let image = dataset.cache.image(index)
    return image.pixels.withUnsafeBufferPointer { p in
        var sum = 0.0, squares = 0.0
        var channels = (0, 0, 0)
        for i in stride(from: 0, to: p.count, by: 3) {
            let luma = 0.299 * Double(p[i]) + 0.587 * Double(p[i + 1]) + 0.114 * Double(p[i + 2])
            sum += luma
            squares += luma * luma
            channels.0 += Int(p[i]); channels.1 += Int(p[i + 1]); channels.2 += Int(p[i + 2])
        }
        let n = Double(max(1, p.count / 3)), mean = sum / n
        func average(_ total: Int) -> UInt8 { UInt8((Double(total) / n).rounded()) }
        return ImageFingerprint(pixelHash: pixelHash(p, size: dataset.sourceSizes[index]),
                                differenceHash: differenceHash(p, width: image.width, height: image.height),
                                meanBrightness: mean, brightnessSpread: max(0, squares / n - mean * mean).squareRoot(),
                                meanColour: (average(channels.0), average(channels.1), average(channels.2)))
    }
}
