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
        let rows = top..<min(top + 6, image.height)
        let colours = Set(rows.flatMap { y in indices[y * image.width..<(y + 1) * image.width] }).sorted()
        for (order, colour) in colours.enumerated() {
            var sixels = (0..<image.width).map { x in
                rows.reduce(0) { bits, y in indices[y * image.width + x] == colour ? bits | 1 << (y - top) : bits }
            }
            while sixels.last == 0 { sixels.removeLast() }
            text += "#\(colour)" + sixelRuns(sixels) + (order < colours.count - 1 ? "$" : "")
        }
        if rows.upperBound < image.height { text += "-" }
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
