/// The fixed palette sixel pictures are drawn in: a 6×6×6 colour cube (levels 0, 51 … 255; index
/// 36·r + 6·g + b) and 24 greys between its steps (8, 18 … 238; indices 216 to 239), as xterm's 256 colours.
/// Fixed rather than fitted per picture, so a picture's bytes depend on its pixels alone, and 240 registers
/// fit the 256 that sixel terminals offer.
enum SixelPalette {
    static let cubeLevels: [Int] = [0, 51, 102, 153, 204, 255]
    static let greyLevels: [Int] = (0..<24).map { 8 + 10 * $0 }
    static let count = 216 + 24

    /// The colour of palette entry `index`.
    static func colour(_ index: Int) -> (r: Int, g: Int, b: Int) {
        if index >= 216 {
            let v = greyLevels[index - 216]
            return (v, v, v)
        }
        return (cubeLevels[index / 36], cubeLevels[index / 6 % 6], cubeLevels[index % 6])
    }

    /// The entry nearest to a colour in squared RGB distance: the nearest cube step per channel, or the nearest grey.
    static func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let step = { (v: UInt8) in (Int(v) * 5 + 127) / 255 }
        let cube = 36 * step(r) + 6 * step(g) + step(b)
        let mean = (Int(r) + Int(g) + Int(b)) / 3
        let grey = 216 + min(max((mean - 8 + 5) / 10, 0), 23)
        return distance(cube, r, g, b) <= distance(grey, r, g, b) ? cube : grey
    }

    private static func distance(_ index: Int, _ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let c = colour(index)
        let (dr, dg, db) = (c.r - Int(r), c.g - Int(g), c.b - Int(b))
        return dr * dr + dg * dg + db * db
    }

    /// A colour register's definition in sixel: `#n;2;r;g;b` with the channels in percent.
    static func register(_ index: Int) -> String {
        let c = colour(index)
        let percent = { (v: Int) in (v * 100 + 127) / 255 }
        return "#\(index);2;\(percent(c.r));\(percent(c.g));\(percent(c.b))"
    }
}
