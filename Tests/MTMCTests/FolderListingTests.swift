import Foundation
@testable import MTMC
import XCTest

/// Class folders are listed and their entries stat'ed on many threads at once: the result must be what one
/// thread, one folder after another, would find.
final class FolderListingTests: XCTestCase {
    func testEntriesComeSortedByCodePointWithTheirKindSizeAndTime() throws {
        let tree = TreeBuilder("listing")
        for name in ["b.png", "B.png", "é.jpg", "a10.png", "a9.png", ".hidden.png", "notes.txt"] { tree.file("x/" + name, Data(count: name.utf8.count)) }
        tree.file("x/sub/inner.png", Data(count: 3))
        tree.file("y/only.png", Data(count: 7))
        let listed = try listFolders([tree.root + "/x", tree.root + "/y"], threads: 3)
        XCTAssertEqual(listed.map { $0.map(\.name) }, [["B.png", "a10.png", "a9.png", "b.png", "notes.txt", "sub", "é.jpg"], ["only.png"]])
        XCTAssertEqual(listed[0].map(\.isFolder), [false, false, false, false, false, true, false])
        XCTAssertEqual(listed[0].filter { !$0.isFolder }.map(\.size), [5, 7, 6, 5, 9, 6])
        XCTAssertEqual(listed[1][0].size, 7)
        var info = stat()
        XCTAssertEqual(stat(tree.root + "/y/only.png", &info), 0)
        XCTAssertEqual(listed[1][0].modifiedNanoseconds, Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// More files than threads, over several folders: every file is stat'ed once, in its folder's order.
    func testManyFilesOnFewThreadsKeepTheirFolderAndOrder() throws {
        let tree = TreeBuilder("many")
        for f in 0..<3 { for i in 0..<40 { tree.file("f\(f)/\(i).png", Data(count: f * 100 + i)) } }
        let listed = try listFolders((0..<3).map { tree.root + "/f\($0)" }, threads: 7)
        for f in 0..<3 {
            let expected = sortedByCodePoint((0..<40).map { "\($0).png" })
            XCTAssertEqual(listed[f].map(\.name), expected)
            XCTAssertEqual(listed[f].map(\.size), expected.map { Int64(f * 100 + Int($0.dropLast(4))!) })
        }
    }

    func testAFolderThatCannotBeListedIsNamed() {
        let missing = FileManager.default.temporaryDirectory.path + "/mtmc-no-such-folder-\(getpid())"
        XCTAssertThrowsError(try listFolders([missing], threads: 4)) { error in
            XCTAssertEqual("\(error)", "cannot list \(missing): No such file or directory")
        }
    }
}
