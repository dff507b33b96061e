import Commands
import Foundation
import XCTest

/// What one Tab does with the line typed so far: insert, list, or nothing.
final class CompletionTests: XCTestCase {
    func testAFolderEndingInASlashCompletesItsOwnChildren() {
        let h = Harness()
        XCTAssertEqual(completionStep(head: "load da", in: h.session), CompletionStep(insertion: "ta/"))
        XCTAssertEqual(completionStep(head: "load data/", in: h.session), CompletionStep(listing: ["印花/", "颜色/"]))
        XCTAssertEqual(completionStep(head: "load data/颜", in: h.session), CompletionStep(insertion: "色/"))
        XCTAssertEqual(completionStep(head: "load data/颜色/", in: h.session), CompletionStep(listing: ["train/", "val/"]))
        XCTAssertEqual(completionStep(head: "load data/颜色/t", in: h.session), CompletionStep(insertion: "rain/"))
        XCTAssertEqual(completionStep(head: "load data/颜色/train/", in: h.session), CompletionStep(listing: ["红/", "绿/", "蓝/"]))
    }

    func testAWordAfterAChineseWordCompletesFromItsOwnStart() {
        let h = Harness()
        h.run("load data")
        XCTAssertEqual(completionStep(head: "show class 红 ", in: h.session), CompletionStep(listing: ["印花", "颜色"]))
        XCTAssertEqual(completionStep(head: "show class 红 颜", in: h.session), CompletionStep(insertion: "色 "))
        XCTAssertEqual(completionStep(head: "plot samples 印花 卡", in: h.session), CompletionStep(insertion: "通 "))
        XCTAssertEqual(completionStep(head: "plot samples 颜色 ", in: h.session), CompletionStep(listing: ["红", "绿", "蓝"]))
        XCTAssertEqual(completionStep(head: "plot samples 颜色 紫", in: h.session), CompletionStep())
    }

    func testCandidatesSharingAPrefixAreExtendedByWholeCharacters() {
        let h = Harness()
        // 条纹 and 格子 share the first byte of their UTF-8 (E6) but no character.
        for name in ["条纹", "格子", "条形"] {
            try? FileManager.default.createDirectory(atPath: h.root + "/p/" + name, withIntermediateDirectories: true)
        }
        XCTAssertEqual(completionStep(head: "load p/", in: h.session), CompletionStep(listing: ["条形/", "条纹/", "格子/"]))
        XCTAssertEqual(completionStep(head: "load p/条", in: h.session), CompletionStep(listing: ["条形/", "条纹/"]))
        XCTAssertEqual(completionStep(head: "set sch", in: h.session), CompletionStep(insertion: "edule "))
    }

    func testListingsLineUpByDisplayWidth() {
        let names = ["斑马纹", "条纹", "格子", "ab", "渐变色", "x"]
        let rows = columnListing(names, width: 20)
        XCTAssertEqual(rows, ["斑马纹  ab", "条纹    渐变色", "格子    x"])
        for row in rows {
            XCTAssertLessThanOrEqual(displayWidth(row), 19)
        }
        XCTAssertEqual(columnListing(names, width: 200), ["斑马纹  条纹    格子    ab      渐变色  x"])
        XCTAssertEqual(columnListing(["a", "b"], width: 2), ["a", "b"])
    }
}
