import Foundation

/// Writes a message to standard error. A closed standard error loses the message but never stops mtmc:
/// `FileHandle.write(_:)` traps on a failed write, so the throwing form is used and its error dropped
/// (there is nowhere left to report it). Standard output is flushed first: into a pipe it is buffered in
/// blocks, and a message written beside it (`2>&1`) would otherwise land in the middle of a line printed before.
func printError(_ text: String) {
    fflush(stdout)
    try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
}
