import Foundation

/// iTerm2's inline image sequence for a PNG file: `ESC ]1337;File=inline=1;size=N[;width=C]:BASE64 BEL`, where
/// `size` is the file's length in bytes and `width`, when given, the character cells to scale it to (the
/// aspect ratio kept, iTerm2's default).
public func itermImage(png: Data, columns: Int? = nil) -> String {
    "\u{1B}]1337;File=inline=1;size=\(png.count)" + (columns.map { ";width=\($0)" } ?? "") + ":" + png.base64EncodedString() + "\u{7}"
}
