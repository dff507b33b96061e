@testable import Commands
import Foundation
import MTMC
import XCTest

final class CommandLineWordsTests: XCTestCase {
    /// `-c` splits commands at `;` outside quotes only.
    func testCommandsSplitAtSemicolonsOutsideQuotes() throws {
        XCTAssertEqual(try splitCommands(#"predict "a;b.png" 'c;d'; eval ;; info"#), [#"predict "a;b.png" 'c;d'"#, " eval ", " info"])
        XCTAssertEqual(try splitCommands(#"load a\;b; info"#), [#"load a\;b"#, " info"])
        XCTAssertThrowsError(try splitCommands("load \"x;y"))
    }
}
