import Foundation
import XCTest

/// Issue 17's defects seen from outside: the built `mtmc`, the repository.
final class DefectEndToEndTests: XCTestCase {
    /// #7: under a decimal-comma locale, numbers are still written with a point (logs, JSON and messages
    /// must not depend on the user's LC_NUMERIC). The locale is compiled into a temporary folder.
    func testNumbersDoNotFollowADecimalCommaLocale() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let localedef = Process()
        localedef.executableURL = URL(fileURLWithPath: "/usr/bin/localedef")
        localedef.arguments = ["-i", "de_DE", "-f", "UTF-8", folder + "/de_DE.UTF-8"]
        localedef.standardOutput = FileHandle.nullDevice
        localedef.standardError = FileHandle.nullDevice
        do { try localedef.run(); localedef.waitUntilExit() } catch { throw XCTSkip("localedef is not installed") }
        guard localedef.terminationStatus == 0 else {
            throw XCTSkip("localedef cannot build de_DE.UTF-8 here (its sources are Debian's locales package, which tools/install-deps.sh installs)")
        }
        let (status, output) = try MTMC.run(["-c", "set size 16; load samples/prints"],
                                            environment: ["LOCPATH": folder, "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"])
        XCTAssertEqual(status, 0, output)
        XCTAssertNotNil(output.range(of: #"loaded samples/prints in [0-9]+\.[0-9]{2} s: 2 tasks, [0-9]+ images, cache [0-9]+\.[0-9] MB"#,
                                     options: .regularExpression), output)
        XCTAssertTrue(output.contains("task 印花: 8 classes"), "UTF-8 text still works: \(output)")
    }

    /// #9: no file the repository ignores is tracked (generated checkpoints, logs, plots).
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

    /// `-c` keeps a quoted `;` inside its command.
    func testDashCHonoursQuotesAroundSemicolons() throws {
        let (status, output) = try MTMC.run(["-c", #"set logs "a;b"; set plots 'c;d'"#])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "mtmc> set logs \"a;b\"\nlogs = a;b\nmtmc> set plots 'c;d'\nplots = c;d\n")
    }
}

/// Hostile input through the binary: `mtmc predict --model` refuses what the shell's `open` refuses.
final class HostileEndToEndTests: XCTestCase {
    /// The safetensors file with one metadata value replaced (the header re-encoded, its length updated).
    private func tamper(_ path: String, key: String, value: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        var metadata = header["__metadata__"] as! [String: String]
        metadata[key] = value
        header["__metadata__"] = metadata
        let encoded = try JSONSerialization.data(withJSONObject: header)
        let prefix = Data((0..<8).map { UInt8((encoded.count >> (8 * $0)) & 0xFF) })
        try (prefix + encoded + data.suffix(from: 8 + length)).write(to: URL(fileURLWithPath: path))
    }

    func testPredictRefusesWhatOpenRefuses() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; model tiny; save m.safetensors"], in: folder)
        XCTAssertEqual(made.status, 0, made.output)
        try tamper(folder + "/m.safetensors", key: "calibration", value: #"[{"task": 3}]"#)
        let expected = "error: \(folder)/m.safetensors: not a usable mtmc checkpoint: metadata calibration is malformed\n"
        let image = MTMC.repository + "/samples/predict/blue.jpg"
        let predicted = try MTMC.run(["predict", "--model", folder + "/m.safetensors", image], in: folder)
        XCTAssertEqual(predicted.status, 1)
        XCTAssertEqual(predicted.output, expected)
        let opened = try MTMC.run(["-c", "open \(folder)/m.safetensors"], in: folder)
        XCTAssertEqual(opened.status, 1)
        XCTAssertTrue(opened.output.contains(expected), opened.output)
    }
}

/// A save killed at any point never leaves a missing or corrupt checkpoint (issue 17, "done when").
final class KilledSaveTests: XCTestCase {
    func testSavesKilledAtRandomPointsLeaveAUsableCheckpoint() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; model tiny; save m.safetensors"], in: folder)
        XCTAssertEqual(made.status, 0, made.output)
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
