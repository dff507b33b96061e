import MTMC

/// The terminal window a picture is fitted to: its size in character cells, and one cell's size in pixels.
public struct TerminalWindow: Equatable {
    public var columns: Int
    public var rows: Int
    public var cell: ImageSize

    public init(columns: Int, rows: Int, cell: ImageSize) {
        self.columns = max(columns, 2)
        self.rows = max(rows, 2)
        self.cell = ImageSize(width: max(cell.width, 1), height: max(cell.height, 1))
    }

    /// A cell's size where the terminal tells none: the common 2:1 cell of a 10-pixel-wide font.
    public static let usualCell = ImageSize(width: 10, height: 20)
}

/// The size a picture is drawn at: its own where it fits, otherwise scaled down, its aspect kept, to the
/// window's width (less a column, so no line wraps) and height (less a row, so the prompt after it shows with
/// it); never scaled up. Half blocks measure in cells: one pixel across, two down.
public func fittedSize(_ picture: ImageSize, in window: TerminalWindow, as graphics: GraphicsProtocol) -> ImageSize {
    let cell = graphics == .blocks ? ImageSize(width: 1, height: 2) : window.cell
    let room = ImageSize(width: (window.columns - 1) * cell.width, height: (window.rows - 1) * cell.height)
    let scale = min(1, Double(room.width) / Double(max(picture.width, 1)), Double(room.height) / Double(max(picture.height, 1)))
    guard scale < 1 else { return picture }
    return ImageSize(width: max(1, Int(Double(picture.width) * scale)), height: max(1, Int(Double(picture.height) * scale)))
}

/// The columns a scaled picture spans, for the protocols that scale it themselves (kitty, iTerm2); nil when it
/// is drawn at its own size.
func scaledColumns(_ picture: ImageSize, fitted: ImageSize, cell: ImageSize) -> Int? {
    fitted == picture ? nil : (fitted.width + cell.width - 1) / cell.width
}
