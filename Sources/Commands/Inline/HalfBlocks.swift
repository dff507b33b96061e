import Vision

/// A picture as lines of upper half blocks (▀) in 24-bit colour, two pixel rows to a line: each cell's
/// foreground (`ESC[38;2;r;g;bm`) is its top pixel and its background (`ESC[48;2;r;g;bm`) the one below; a
/// colour is written at a line's first cell and then only where it changes. An odd last row has the
/// terminal's own background below (`ESC[49m`). Each line ends with `ESC[0m`, so nothing after it is coloured.
public func halfBlockLines(_ image: RGBImage) -> [String] {
    stride(from: 0, to: image.height, by: 2).map { y in
        var line = "", foreground = "", background = ""
        for x in 0..<image.width {
            let top = image[x, y]
            let topColour = "\u{1B}[38;2;\(top.0);\(top.1);\(top.2)m"
            var bottomColour = "\u{1B}[49m"
            if y + 1 < image.height {
                let bottom = image[x, y + 1]
                bottomColour = "\u{1B}[48;2;\(bottom.0);\(bottom.1);\(bottom.2)m"
            }
            if topColour != foreground { line += topColour; foreground = topColour }
            if bottomColour != background { line += bottomColour; background = bottomColour }
            line += "▀"
        }
        return line + "\u{1B}[0m"
    }
}
