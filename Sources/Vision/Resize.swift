/// Separable bilinear resampling, antialiased when shrinking (the triangle filter widens with the
/// scale factor, as Pillow's BILINEAR and torchvision's antialias=True do).
public func resized(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    if image.width == width && image.height == height { return image }
    // Horizontal pass (rows keep their height), then vertical; each rounds to 8 bits like Pillow.
    let horizontal = resample(image.pixels, count: image.height, from: image.width, to: width,
                              step: 3, lineStride: image.width * 3, outLineStride: width * 3, outStep: 3)
    let vertical = resample(horizontal, count: width, from: image.height, to: height,
                            step: width * 3, lineStride: 3, outLineStride: 3, outStep: width * 3)
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

/// Resamples `count` lines of 3-channel pixels along one axis. Pixel i of a line sits at
/// line·lineStride + i·step in the input (outLineStride and outStep in the output).
private func resample(_ input: [UInt8], count: Int, from inSize: Int, to outSize: Int,
                      step: Int, lineStride: Int, outLineStride: Int, outStep: Int) -> [UInt8] {
    if inSize == outSize && step == outStep && lineStride == outLineStride { return input }
    let taps = resampleTaps(from: inSize, to: outSize)
    var output = [UInt8](repeating: 0, count: count * outSize * 3)
    input.withUnsafeBufferPointer { src in
        output.withUnsafeMutableBufferPointer { dst in
            for line in 0..<count {
                for (o, tap) in taps.enumerated() {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    var at = line * lineStride + tap.start * step
                    for w in tap.weights {
                        r += w * Float(src[at]); g += w * Float(src[at + 1]); b += w * Float(src[at + 2])
                        at += step
                    }
                    let out = line * outLineStride + o * outStep
                    dst[out] = UInt8(clamping: Int((r + 0.5).rounded(.down)))
                    dst[out + 1] = UInt8(clamping: Int((g + 0.5).rounded(.down)))
                    dst[out + 2] = UInt8(clamping: Int((b + 0.5).rounded(.down)))
                }
            }
        }
    }
    return output
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
