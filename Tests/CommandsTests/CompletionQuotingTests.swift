@testable import Commands
import Foundation
import MTMC
import XCTest

/// Completion of names with spaces: what is inserted keeps the name one word on the command line.
final class CompletionQuotingTests: XCTestCase {
    func testNamesWithSpacesAreEscapedAndCompleteAgainAfterTheSpace() throws {
        let h = Harness()
        try FileManager.default.createDirectory(atPath: h.root + "/my pictures 图片", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: h.root + "/my pictures 图片/a b.png", contents: Data())
        XCTAssertEqual(completionStep(head: "predict my", in: h.session), CompletionStep(insertion: #"\ pictures\ 图片/"#))
        // Second Tab, after the escaped spaces: the word is the whole name typed so far.
        let typing = wordsBeingTyped(#"predict my\ pictures\ 图片/a"#)
        XCTAssertEqual(typing.before, ["predict"])
        XCTAssertEqual(typing.word, "my pictures 图片/a")
        XCTAssertEqual(completionStep(head: #"predict my\ pictures\ 图片/a"#, in: h.session), CompletionStep(insertion: #"\ b.png "#))
        XCTAssertEqual(try splitWords(#"predict my\ pictures\ 图片/a\ b.png"#), ["predict", "my pictures 图片/a b.png"])
        // Inside an open double quote only quotes and backslashes are escaped, and a file closes the quote.
        XCTAssertEqual(completionStep(head: #"predict "my pic"#, in: h.session), CompletionStep(insertion: "tures 图片/"))
        XCTAssertEqual(completionStep(head: #"predict "my pictures 图片/"#, in: h.session), CompletionStep(insertion: "a b.png\" "))
        XCTAssertEqual(try splitWords(#"predict "my pictures 图片/a b.png" "#), ["predict", "my pictures 图片/a b.png"])
    }
}
