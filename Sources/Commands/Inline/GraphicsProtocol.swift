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
}
