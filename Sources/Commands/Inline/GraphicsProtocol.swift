/// A way of drawing a picture in a terminal, best first.
public enum GraphicsProtocol: String, Equatable, CaseIterable {
    /// kitty's graphics protocol (kitty, WezTerm, Ghostty, Konsole): the PNG file itself, base64, in APC chunks.
    case kitty
    /// iTerm2's inline images (OSC 1337 File=), which WezTerm and mintty also draw: the PNG file, base64.
    case iterm
    /// DEC sixel graphics (foot, mlterm, WezTerm, xterm as a VT340): pixels in a palette, six rows per band.
    case sixel
    /// Upper half blocks in 24-bit colour, two pixels to a character cell: any terminal with truecolor.
    case blocks

    /// Whether the sequence goes to the outer terminal through tmux's passthrough (tmux draws sixel and
    /// coloured text itself, but knows nothing of kitty's or iTerm2's images).
    var passesThroughTmux: Bool { self == .kitty || self == .iterm }
}

/// Width and height in pixels.
public struct PixelSize: Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// What the terminal can draw, learned once by asking it (the session keeps it).
public struct TerminalGraphics: Equatable {
    /// The best protocol the terminal answered for or its environment names; nil when none (nothing is drawn).
    public var best: GraphicsProtocol?
    /// Inside tmux (TMUX is set): kitty and iTerm2 sequences are wrapped for its passthrough.
    public var insideTmux: Bool
    /// One character cell in pixels, as the terminal answered CSI 16 t; nil when it did not.
    public var cellSize: PixelSize?

    public init(best: GraphicsProtocol?, insideTmux: Bool, cellSize: PixelSize? = nil) {
        self.best = best
        self.insideTmux = insideTmux
        self.cellSize = cellSize
    }
}
