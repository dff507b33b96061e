@testable import Commands
import Engine
import Foundation
import Vision
import MTMC
import XCTest

/// Sizes that users pick: a large input or one the loaded cache was not made for says what it costs.
final class InputSizeCostTests: XCTestCase {
    func testALargeOrStaleInputSizeSaysWhatItCosts() {
        let h = Harness()
        h.run("load data")
        XCTAssertEqual(h.run("set size 1024").1, """
            size = 1024x1024
            note: at 1024x1024 one batch of 4 takes 50 MB of input before the network's activations (set batch lowers it); \
            the loaded dataset is cached at 18×18: load it again for this size (its 45 images would take 185 MB), or training upscales from the cache
            """)
        XCTAssertEqual(h.run("set size 16").1, "size = 16x16")
        XCTAssertEqual(h.run("set batch 4096").1, "batch = 4096")  // 12.6 MB of input: not worth a note
        XCTAssertEqual(byteCount(999), "999 bytes")
        XCTAssertEqual(byteCount(3_400_000_000), "3.4 GB")
    }
}
