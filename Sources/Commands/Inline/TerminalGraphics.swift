import MTMC

/// What the terminal can draw, learned once by asking it (the session keeps it).
public struct TerminalGraphics: Equatable {
    /// The best protocol the terminal answered for or its environment names; nil when none (nothing is drawn).
    public var best: GraphicsProtocol?
    /// Inside tmux (TMUX is set): kitty and iTerm2 sequences are wrapped for its passthrough.
    public var insideTmux: Bool
    /// One character cell in pixels, as the terminal answered CSI 16 t; nil when it did not.
    public var cellSize: ImageSize?

    public init(best: GraphicsProtocol?, insideTmux: Bool, cellSize: ImageSize? = nil) {
        self.best = best
        self.insideTmux = insideTmux
        self.cellSize = cellSize
    }
}
