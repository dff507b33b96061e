import Foundation

/// Writes a message to standard error. A closed standard error loses the message but never stops mtmc:
/// `FileHandle.write(_:)` traps on a failed write, so the throwing form is used and its error dropped
/// (there is nowhere left to report it).
func printError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
}
