import Vision

/// A picture as DEC sixel graphics: `ESC P q`, raster attributes `"1;1;W;H` (square pixels, the picture's
/// size), the colour registers it uses (`#n;2;r;g;b`, SixelPalette), then bands of six rows: per colour in the
/// band (in register order), `#n` and one character per column (63 plus the bits of the rows that colour
/// covers, the top row in bit 0; runs of four or more as `!count char`; columns past the colour's last
/// left out), `$` back to the band's start before the next colour, `-` down to the next band; `ESC \` ends it.
public func sixelImage(_ image: RGBImage) -> String {
    let indices = (0..<image.width * image.height).map { i in
        SixelPalette.nearest(image.pixels[3 * i], image.pixels[3 * i + 1], image.pixels[3 * i + 2])
    }
    var text = "\u{1B}Pq\"1;1;\(image.width);\(image.height)"
    for index in Set(indices).sorted() { text += SixelPalette.register(index) }
    for top in stride(from: 0, to: image.height, by: 6) {
        // Each colour's column bits in this band, in one pass over its pixels.
        var sixels: [Int: [Int]] = [:]
        for y in top..<min(top + 6, image.height) {
            for x in 0..<image.width {
                sixels[indices[y * image.width + x], default: [Int](repeating: 0, count: image.width)][x] |= 1 << (y - top)
            }
        }
        let colours = sixels.keys.sorted()
        for (order, colour) in colours.enumerated() {
            var columns = sixels[colour]!
            while columns.last == 0 { columns.removeLast() }
            text += "#\(colour)" + sixelRuns(columns) + (order < colours.count - 1 ? "$" : "")
        }
        if top + 6 < image.height { text += "-" }
    }
    return text + "\u{1B}\\"
}

/// Sixel characters for column bit patterns, a run of four or more of one written `!count char`.
func sixelRuns(_ sixels: [Int]) -> String {
    var text = "", start = 0
    while start < sixels.count {
        var end = start
        while end < sixels.count && sixels[end] == sixels[start] { end += 1 }
        let character = String(UnicodeScalar(UInt8(63 + sixels[start])))
        text += end - start >= 4 ? "!\(end - start)" + character : String(repeating: character, count: end - start)
        start = end
    }
    return text
}
