/// The colour jitter factors one image draws: torchvision's ColorJitter adjustments, applied in a fixed
/// order: brightness, contrast (towards the mean grey), saturation (towards each pixel's grey), hue
/// (rotation in HSV). Values stay in [0, 1].
struct ColorJitter {
    var brightness: Float = 1
    var contrast: Float = 1
    var saturation: Float = 1
    var hue: Float = 0
}

/// The jitter on an interleaved RGB image in [0, 1] (RandAugment's colour operations use it too).
func colorJitter(_ rgb: inout [Float], brightness: Float, contrast: Float, saturation: Float, hue: Float) {
    let n = rgb.count / 3
    func gray(_ i: Int) -> Float { 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2] }
    if brightness != 1 { for i in 0..<rgb.count { rgb[i] = min(1, max(0, rgb[i] * brightness)) } }
    if contrast != 1 {
        var mean: Float = 0
        for i in 0..<n { mean += gray(i) }
        mean /= Float(max(n, 1))
        for i in 0..<rgb.count { rgb[i] = min(1, max(0, (rgb[i] - mean) * contrast + mean)) }
    }
    if saturation != 1 {
        for i in 0..<n {
            let g = gray(i)
            for c in 0..<3 { rgb[i * 3 + c] = min(1, max(0, g + (rgb[i * 3 + c] - g) * saturation)) }
        }
    }
    if hue != 0 {
        for i in 0..<n {
            var (h, s, v) = rgbToHSV(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2])
            h = (h + hue).truncatingRemainder(dividingBy: 1)
            if h < 0 { h += 1 }
            (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]) = hsvToRGB(h, s, v)
        }
    }
}

/// The jitter, then normalisation, on planar [3, area] values in [0, 1], in place: the same arithmetic as
/// `colorJitter` followed by normalising, bit for bit, in two passes over the image instead of five
/// (brightness and the mean grey, then everything else 8 pixels at a time) and without a copy.
func jitterAndNormalize(_ planes: UnsafeMutablePointer<Float>, area: Int, jitter j: ColorJitter, normalization n: Normalization) {
    precondition(abs(j.hue) < 1, "hue shift \(j.hue) out of range")
    let red = planes, green = planes + area, blue = planes + 2 * area
    if j.brightness != 1 { for i in 0..<(3 * area) { planes[i] = min(1, max(0, planes[i] * j.brightness)) } }
    var mean: Float = 0
    if j.contrast != 1 {
        // One running sum in pixel order, as `colorJitter` adds, so the mean is the same float.
        for i in 0..<area { mean += 0.299 * red[i] + 0.587 * green[i] + 0.114 * blue[i] }
        mean /= Float(max(area, 1))
    }
    let shift = (n.mean[0], n.mean[1], n.mean[2]), scale = (1 / n.std[0], 1 / n.std[1], 1 / n.std[2])
    func finish(_ r: inout Lanes, _ g: inout Lanes, _ b: inout Lanes) {
        if j.contrast != 1 {
            r = clamped((r - mean) * j.contrast + mean)
            g = clamped((g - mean) * j.contrast + mean)
            b = clamped((b - mean) * j.contrast + mean)
        }
        if j.saturation != 1 {
            let gray = 0.299 * r + 0.587 * g + 0.114 * b
            r = clamped(gray + (r - gray) * j.saturation)
            g = clamped(gray + (g - gray) * j.saturation)
            b = clamped(gray + (b - gray) * j.saturation)
        }
        if j.hue != 0 { rotateHue(&r, &g, &b, by: j.hue) }
        r = (r - shift.0) * scale.0
        g = (g - shift.1) * scale.1
        b = (b - shift.2) * scale.2
    }
    var i = 0
    while i + Lanes.scalarCount <= area {
        var r = Lanes(UnsafeBufferPointer(start: red + i, count: Lanes.scalarCount))
        var g = Lanes(UnsafeBufferPointer(start: green + i, count: Lanes.scalarCount))
        var b = Lanes(UnsafeBufferPointer(start: blue + i, count: Lanes.scalarCount))
        finish(&r, &g, &b)
        for k in 0..<Lanes.scalarCount { red[i + k] = r[k]; green[i + k] = g[k]; blue[i + k] = b[k] }
        i += Lanes.scalarCount
    }
    // The last area mod 8 pixels, in lanes padded with black.
    var r = Lanes(), g = Lanes(), b = Lanes()
    for k in 0..<(area - i) { r[k] = red[i + k]; g[k] = green[i + k]; b[k] = blue[i + k] }
    finish(&r, &g, &b)
    for k in 0..<(area - i) { red[i + k] = r[k]; green[i + k] = g[k]; blue[i + k] = b[k] }
}

/// Eight pixels' values of one channel.
typealias Lanes = SIMD8<Float>

/// min(1, max(0, x)) lane by lane, picking as those do: max(0, x) is x unless x < 0, min(1, y) is y unless y ≥ 1.
@inline(__always)
private func clamped(_ x: Lanes) -> Lanes {
    var y = x.replacing(with: 0, where: x .< 0)
    y.replace(with: 1, where: y .>= 1)
    return y
}

/// `hsvToRGB(rgbToHSV(r, g, b))` with the hue turned by `hue` (|hue| < 1), lane by lane: the same floats.
/// Where `colorJitter` takes fmod(h + hue, 1) and floor(h·6), this wraps h + hue ∈ (−1, 2) by ±1 (exact,
/// as fmod is) and floors h·6 ∈ [0, 6] by rounding through 2²³; branches become selects.
@inline(__always)
private func rotateHue(_ r: inout Lanes, _ g: inout Lanes, _ b: inout Lanes, by hue: Float) {
    // max(max(r, g), b) and min(min(r, g), b), picking as Swift's max and min do.
    let maxRG = r.replacing(with: g, where: g .>= r), maxC = maxRG.replacing(with: b, where: b .>= maxRG)
    let minRG = r.replacing(with: g, where: g .< r), minC = minRG.replacing(with: b, where: b .< minRG)
    let delta = maxC - minC
    var h = (4 + (r - g) / delta).replacing(with: 2 + (b - r) / delta, where: maxC .== g).replacing(with: (g - b) / delta, where: maxC .== r)
    h /= 6
    h.replace(with: h + 1, where: h .< 0)
    h.replace(with: 0, where: .!(delta .> 0))
    let s = (delta / maxC).replacing(with: 0, where: .!(maxC .> 0)), v = maxC
    h += hue
    h.replace(with: h - 1, where: h .>= 1)
    h.replace(with: h + 1, where: h .< 0)
    let sector = h * 6, nearest = (sector + 0x1p23) - 0x1p23
    let whole = nearest.replacing(with: nearest - 1, where: nearest .> sector), f = sector - whole
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    // Sector 6 (h = 1) is sector 0, as Int(floor(h·6)) % 6 makes it.
    let zero = whole .== 0 .| whole .== 6
    r = p.replacing(with: t, where: whole .== 4).replacing(with: q, where: whole .== 1).replacing(with: v, where: zero .| whole .== 5)
    g = p.replacing(with: q, where: whole .== 3).replacing(with: v, where: whole .== 1 .| whole .== 2).replacing(with: t, where: zero)
    b = v.replacing(with: q, where: whole .== 5).replacing(with: t, where: whole .== 2).replacing(with: p, where: zero .| whole .== 1)
}

func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
    let maxC = max(r, g, b), minC = min(r, g, b), delta = maxC - minC
    var h: Float = 0
    if delta > 0 {
        if maxC == r { h = (g - b) / delta } else if maxC == g { h = 2 + (b - r) / delta } else { h = 4 + (r - g) / delta }
        h /= 6
        if h < 0 { h += 1 }
    }
    return (h, maxC > 0 ? delta / maxC : 0, maxC)
}

func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
    let sector = h * 6, i = Int(sector.rounded(.down)) % 6, f = sector - sector.rounded(.down)
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch i {
    case 0: return (v, t, p)
    case 1: return (q, v, p)
    case 2: return (p, v, t)
    case 3: return (p, q, v)
    case 4: return (t, p, v)
    default: return (v, p, q)
    }
}
