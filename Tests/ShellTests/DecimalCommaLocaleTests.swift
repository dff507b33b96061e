import Foundation
import XCTest

final class DecimalCommaLocaleTests: XCTestCase {
    /// Under a decimal-comma locale, numbers are still written with a point (logs, JSON and messages
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
}
