import Foundation
import XCTest

/// Standard output closed under mtmc (a reader that left): said once on standard error, the commands still run.
final class ClosedOutputTests: XCTestCase {
    func testAClosedStandardOutputIsReportedAndTheScriptGoesOn() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.arguments = ["-c", "set lr 0.2; set lr 0.3; history save h.mtmc"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = output
        process.standardError = errors
        try output.fileHandleForReading.close()  // nobody reads standard output
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, message)
        XCTAssertEqual(message, "mtmc: cannot write to standard output (Broken pipe); its output is lost from here on\n")
        XCTAssertTrue(try String(contentsOfFile: folder + "/h.mtmc", encoding: .utf8).contains("set lr 0.3"), "the commands after it ran")
    }

    /// Both standard output and standard error closed: nothing to report to, and still no crash.
    func testClosedStandardOutputAndErrorDoNotStopTheSession() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.arguments = ["predict", "--model", "nothere.safetensors", "x.png"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = output
        process.standardError = output
        try output.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "ended by a signal")
        XCTAssertEqual(process.terminationStatus, 1, "the error status, not a crash")
    }
}
