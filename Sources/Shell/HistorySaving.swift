@preconcurrency import CEdit
import Engine
import Foundation
import Vision

extension LineEditor {
    /// False once the history file was found to be something other than a regular file: saving stops then.
    nonisolated(unsafe) static var savesHistory = true

    /// Saves the prompt's history as a whole new file renamed over the history file (`writeAtomically`), so
    /// the path is never followed: a history file that another program replaced by a link to some other file
    /// does not redirect the writing. libedit writes its format into a temporary file of ours first. When the
    /// history file is no longer a regular file (a link, a FIFO), saving stops, saying why once.
    static func saveHistory() {
        guard savesHistory else { return }
        var template = Array((historyPath + ".tmp-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return }  // an unwritable state folder: history stays in memory, as with write_history
        close(fd)
        let temporary = String(cString: template)
        defer { unlink(temporary) }
        guard write_history(temporary) == 0, let data = try? readRegularFile(temporary) else { return }
        var info = stat()
        if lstat(historyPath, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            savesHistory = false
            printError("history: \(historyPath) is \(fileKind(info.st_mode)) now, not the history file; history is no longer saved")
            return
        }
        try? writeAtomically(data, to: historyPath)
    }
}
