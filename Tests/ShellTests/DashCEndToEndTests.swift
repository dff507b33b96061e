import Foundation
import XCTest

final class DashCEndToEndTests: XCTestCase {
    /// `-c` keeps a quoted `;` inside its command.
    func testDashCHonoursQuotesAroundSemicolons() throws {
        let (status, output) = try MTMC.run(["-c", #"set logs "a;b"; set plots 'c;d'"#])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "mtmc> set logs \"a;b\"\nlogs = a;b\nmtmc> set plots 'c;d'\nplots = c;d\n")
    }
}
