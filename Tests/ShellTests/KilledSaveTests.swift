import Foundation
import XCTest

/// A save killed at any point never leaves a missing or corrupt checkpoint.
final class KilledSaveTests: XCTestCase {
    func testSavesKilledAtRandomPointsLeaveAUsableCheckpoint() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try MTMC.prepare("set size 16; load \(MTMC.repository)/samples/prints; model tiny; save m.safetensors", in: folder)
        let image = MTMC.repository + "/samples/predict/blue.jpg"
        var generator = SystemRandomNumberGenerator()
        for round in 0..<50 {
            // A child that opens the checkpoint and saves it over and over until it is killed.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: MTMC.binary)
            child.arguments = ["-c", "open m.safetensors" + String(repeating: "; save m.safetensors", count: 20)]
            child.currentDirectoryURL = URL(fileURLWithPath: folder)
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            usleep(UInt32.random(in: 50_000...600_000, using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let check = try MTMC.run(["predict", "--model", "m.safetensors", image], in: folder)
            XCTAssertEqual(check.status, 0, "round \(round): \(check.output)")
            if check.status != 0 { break }
        }
    }
}
