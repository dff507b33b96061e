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
        guard localedef.terminationStatus == 0 else { throw XCTSkip("localedef cannot build de_DE.UTF-8 here") }
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
        git.arguments = ["git", "-C", MTMC.repository, "ls-files", "--cached", "--ignored", "--exclude-standard"]
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
