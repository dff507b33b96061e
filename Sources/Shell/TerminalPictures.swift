import Commands
import Foundation
import MTMC

/// Draws each picture a command announces in the terminal as well (`set inline`), where standard output is one.
enum TerminalPictures {
    static func draw(_ path: String, in session: Session) {
        guard TerminalOutput.isTerminal,
              let (graphics, terminal) = inlineProtocol(for: session, ask: { TerminalGraphicsQuery.ask() }) else { return }
        do {
            let text = try inlinePicture(path: path, as: graphics, in: window(answeredCell: terminal.cellSize),
                                         insideTmux: terminal.insideTmux, pixelLimit: session.settings.pixelLimit)
            session.out.progress(nil)
            fputs(text, stdout)
            fflush(stdout)
        } catch {
            session.out.print("note: the picture is not drawn in the terminal: \(error)")
        }
    }

    /// The terminal's size in cells, and a cell's in pixels: from the kernel's window size where the terminal
    /// tells it its pixels, else from its answer to CSI 16 t, else the usual cell.
    static func window(answeredCell: ImageSize?) -> TerminalWindow {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else {
            return TerminalWindow(columns: 80, rows: 24, cell: answeredCell ?? TerminalWindow.usualCell)
        }
        let measured = size.ws_xpixel > 0 && size.ws_ypixel > 0
            ? ImageSize(width: Int(size.ws_xpixel) / Int(size.ws_col), height: Int(size.ws_ypixel) / Int(size.ws_row)) : nil
        return TerminalWindow(columns: Int(size.ws_col), rows: Int(size.ws_row), cell: measured ?? answeredCell ?? TerminalWindow.usualCell)
    }
}
