/// Separable bilinear resampling, antialiased when shrinking (the triangle filter widens with the
/// scale factor, as Pillow's BILINEAR and torchvision's antialias=True do).
public func resized(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    if image.width == width && image.height == height { return image }
    // Horizontal pass (rows keep their height), then vertical; each rounds to 8 bits like Pillow.
    var horizontal = image.pixels
    if width != image.width {
        horizontal = [UInt8](repeating: 0, count: image.height * width * 3)
        image.pixels.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { resampleRows(src.baseAddress!, rows: image.height, from: image.width, to: width, into: $0.baseAddress!) }
        }
    }
    if height == image.height { return RGBImage(width: width, height: height, pixels: horizontal) }
    var vertical = [UInt8](repeating: 0, count: height * width * 3)
    horizontal.withUnsafeBufferPointer { src in
        vertical.withUnsafeMutableBufferPointer { resampleColumns(src.baseAddress!, rowLength: width * 3, from: image.height, to: height, into: $0.baseAddress!) }
    }
    return RGBImage(width: width, height: height, pixels: vertical)
}

/// Filter taps of one output coordinate: the first input index and normalised weights.
struct ResampleTaps {
    let start: Int
    let weights: [Float]
}

/// Pillow's coefficient rule for the bilinear filter (support 1, scaled by the shrink factor).
func resampleTaps(from inSize: Int, to outSize: Int) -> [ResampleTaps] {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1)
    let support = filterScale
    return (0..<outSize).map { o in
        let center = (Double(o) + 0.5) * scale
        let lo = max(Int(center - support + 0.5), 0)
        let hi = min(Int(center + support + 0.5), inSize)
        var weights = (lo..<hi).map { i in Float(max(0, 1 - abs((Double(i) - center + 0.5) / filterScale))) }
        let total = weights.reduce(0, +)
        if total > 0 { weights = weights.map { $0 / total } }
        return ResampleTaps(start: lo, weights: weights)
    }
}

/// The taps of every output coordinate in three flat arrays: output o sums weights[offsets[o]..<offsets[o + 1]]
/// times the inputs from starts[o] on.
private struct FlatTaps {
    var starts: [Int] = []
    var offsets: [Int] = [0]
    var weights: [Float] = []

    init(from inSize: Int, to outSize: Int) {
        for tap in resampleTaps(from: inSize, to: outSize) {
            starts.append(tap.start)
            weights += tap.weights
            offsets.append(weights.count)
        }
    }
}

/// A filter's sum, rounded to 8 bits as Pillow rounds (half up; sums are never negative).
@inline(__always)
private func roundedByte(_ sum: Float) -> UInt8 { UInt8(clamping: Int(sum + 0.5)) }

/// Resamples each of `rows` rows of interleaved RGB from `inW` to `outW` pixels: each output pixel is a
/// weighted sum of consecutive input pixels of its row, in tap order.
private func resampleRows(_ src: UnsafePointer<UInt8>, rows: Int, from inW: Int, to outW: Int, into dst: UnsafeMutablePointer<UInt8>) {
    let taps = FlatTaps(from: inW, to: outW)
    taps.starts.withUnsafeBufferPointer { starts in
        taps.offsets.withUnsafeBufferPointer { offsets in
            taps.weights.withUnsafeBufferPointer { weights in
                for row in 0..<rows {
                    let line = src + row * inW * 3, out = dst + row * outW * 3
                    for o in 0..<outW {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        var at = line + starts[o] * 3
                        for k in offsets[o]..<offsets[o + 1] {
                            let w = weights[k]
                            r += w * Float(at[0]); g += w * Float(at[1]); b += w * Float(at[2])
                            at += 3
                        }
                        out[o * 3] = roundedByte(r); out[o * 3 + 1] = roundedByte(g); out[o * 3 + 2] = roundedByte(b)
                    }
                }
            }
        }
    }
}

/// Resamples rows of `rowLength` bytes from `inH` to `outH` rows: each output row is a weighted sum of
/// consecutive input rows, accumulated a whole row at a time (so the inner loop runs along memory and
/// vectorises), each byte's sum in tap order as the horizontal pass does.
private func resampleColumns(_ src: UnsafePointer<UInt8>, rowLength: Int, from inH: Int, to outH: Int, into dst: UnsafeMutablePointer<UInt8>) {
    let taps = FlatTaps(from: inH, to: outH)
    let sums = UnsafeMutablePointer<Float>.allocate(capacity: rowLength)
    defer { sums.deallocate() }
    for o in 0..<outH {
        sums.update(repeating: 0, count: rowLength)
        for k in taps.offsets[o]..<taps.offsets[o + 1] {
            let w = taps.weights[k], line = src + (taps.starts[o] + k - taps.offsets[o]) * rowLength
            for j in 0..<rowLength { sums[j] += w * Float(line[j]) }
        }
        let out = dst + o * rowLength
        for j in 0..<rowLength { out[j] = roundedByte(sums[j]) }
    }
}

/// The centre `width`×`height` region (as torchvision's CenterCrop, rounding the offset down).
public func centerCropped(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    precondition(width <= image.width && height <= image.height, "crop larger than the image")
    let x0 = (image.width - width) / 2, y0 = (image.height - height) / 2
    var pixels = [UInt8]()
    pixels.reserveCapacity(width * height * 3)
    for y in y0..<(y0 + height) {
        let start = (y * image.width + x0) * 3
        pixels.append(contentsOf: image.pixels[start..<(start + width * 3)])
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}
