import Foundation
import MTMC
import Vision

/// What to write to the terminal to draw the PNG at `path` with `graphics`, fitted to `window`, the cursor
/// left on the line below it. kitty and iTerm2 are sent the file itself and scale it; sixel and half-blocks are
/// drawn from its pixels, decoded (within `pixelLimit`) and resized here. Inside tmux kitty's and iTerm2's
/// sequences go through its passthrough, one wrapped sequence per chunk
/// (tmux draws sixel and coloured text itself, but knows nothing of those images).
public func inlinePicture(path: String, as graphics: GraphicsProtocol, in window: TerminalWindow, insideTmux: Bool,
                          pixelLimit: Int) throws -> String {
    switch graphics {
    case .kitty, .iterm:
        let png = try readRegularFile(path)
        let size = try ImageDecoder.declaredSize(file: path)
        let picture = ImageSize(width: size.width, height: size.height)
        let columns = scaledColumns(picture, fitted: fittedSize(picture, in: window, as: graphics), cell: window.cell)
        let sequences = graphics == .kitty ? kittyImage(png: png, columns: columns) : [itermImage(png: png, columns: columns)]
        return sequences.map { insideTmux ? tmuxPassthrough($0) : $0 }.joined() + "\n"
    case .sixel, .blocks:
        let image = try ImageDecoder(pixelLimit: pixelLimit).decode(file: path)
        let fitted = fittedSize(ImageSize(width: image.width, height: image.height), in: window, as: graphics)
        let shown = resized(image, width: fitted.width, height: fitted.height)
        return graphics == .sixel ? sixelImage(shown) + "\n" : halfBlockLines(shown).joined(separator: "\n") + "\n"
    }
}

/// How a picture is drawn now, and what the terminal said it draws; nil for not at all: with `set inline off`,
/// while recording (the notebook links the picture instead) and while a script replays (its pictures are files
/// to open after). `ask` questions the terminal; it runs at the first picture of a session, which keeps the answer.
public func inlineProtocol(for session: Session, ask: () -> TerminalGraphics) -> (graphics: GraphicsProtocol, terminal: TerminalGraphics)? {
    let mode = session.settings.inline
    guard mode != .off, session.notebook == nil, !session.scripts.isReplaying else { return nil }
    let terminal = session.terminalGraphics ?? ask()
    session.terminalGraphics = terminal
    guard let graphics = mode == .auto ? terminal.best : GraphicsProtocol(rawValue: mode.rawValue) else { return nil }
    return (graphics, terminal)
}
