import Engine
import Foundation
@testable import MTMC
import Vision
import XCTest

/// What the parallel decoder hands back is released with the caller's copy: freeing the result buffer
/// without releasing its payloads would leak a disk cache build's every payload (the cache's size in memory).
final class ParallelDecodeTests: XCTestCase {
    private final class Payload {
        static var alive = 0
        init() { Payload.alive += 1 }
        deinit { Payload.alive -= 1 }
    }

    func testDecodedResultsAreReleasedWithTheCallersCopy() throws {
        let tree = TreeBuilder().task("a", classes: ["x": 5])
        let files = try DatasetTree.scan(tree.root).files.map(\.path)
        let decode = ParallelDecode(files: files, decoder: ImageDecoder(), width: 6, height: 6, threads: 1)
        do {
            let results = decode.decode(Array(0..<files.count)) { _, _ in Payload() }
            XCTAssertEqual(results.count, 7)
            XCTAssertEqual(Payload.alive, 7)
        }
        XCTAssertEqual(Payload.alive, 0)
    }
}
