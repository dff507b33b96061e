import Vision

/// `image` scaled to side×side with a class activation map laid over it: the map, bilinearly scaled
/// from its grid to the image, coloured from blue (0) through green to red (1) and blended at 45 %.
public func overlaid(_ image: RGBImage, map: ClassActivationMap, side: Int) -> RGBImage {
    let view = resized(image, width: side, height: side)
    let values = map.normalized
    var pixels = view.pixels
    for y in 0..<side {
        for x in 0..<side {
            let v = sample(values, map.width, map.height, (Float(x) + 0.5) / Float(side) * Float(map.width) - 0.5,
                           (Float(y) + 0.5) / Float(side) * Float(map.height) - 0.5)
            let heat = jet(v), i = (y * side + x) * 3
            for c in 0..<3 { pixels[i + c] = UInt8((0.55 * Float(pixels[i + c]) + 0.45 * heat[c]).rounded()) }
        }
    }
    return RGBImage(width: side, height: side, pixels: pixels)
}

/// Bilinear sample of a w×h grid at (x, y) in cell-centre coordinates, clamped at the borders.
private func sample(_ v: [Float], _ w: Int, _ h: Int, _ x: Float, _ y: Float) -> Float {
    let cx = min(max(x, 0), Float(w - 1)), cy = min(max(y, 0), Float(h - 1))
    let x0 = Int(cx), y0 = Int(cy), x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
    let fx = cx - Float(x0), fy = cy - Float(y0)
    let top = v[y0 * w + x0] * (1 - fx) + v[y0 * w + x1] * fx
    let bottom = v[y1 * w + x0] * (1 - fx) + v[y1 * w + x1] * fx
    return top * (1 - fy) + bottom * fy
}

/// The "jet" colour of v in [0, 1], as 0–255 RGB.
private func jet(_ v: Float) -> [Float] {
    func ramp(_ t: Float) -> Float { 255 * min(max(1.5 - abs(4 * v - t), 0), 1) }
    return [ramp(3), ramp(2), ramp(1)]
}
