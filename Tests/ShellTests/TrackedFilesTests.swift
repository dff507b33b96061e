import Foundation
import XCTest

final class TrackedFilesTests: XCTestCase {
    /// No file the repository ignores is tracked (generated checkpoints, logs, plots).
    func testNoIgnoredFileIsTracked() throws {
        guard FileManager.default.fileExists(atPath: MTMC.repository + "/.git") else { throw XCTSkip("not a git checkout") }
        let git = Process(), out = Pipe()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // As root in a checkout another user owns (CI's), git refuses to read it unless told the folder is safe.
        git.arguments = ["git", "-c", "safe.directory=*", "-C", MTMC.repository, "ls-files", "--cached", "--ignored", "--exclude-standard"]
        git.standardOutput = out
        git.standardError = FileHandle.nullDevice
        do { try git.run() } catch { throw XCTSkip("git is not installed") }
        let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        git.waitUntilExit()
        guard git.terminationStatus == 0 else { throw XCTSkip("git cannot read the checkout") }
        XCTAssertEqual(listed, "", "tracked but ignored")
    }
}
