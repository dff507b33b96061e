import Commands
import Foundation
import MTMC
import XCTest

/// `set cache`, `load` saying where the images are kept and why, `info` showing it, and training on every mode.
final class CacheCommandTests: XCTestCase {
    func testLoadSaysWhereItKeepsTheImagesAndInfoShowsIt() throws {
        let h = Harness()
        XCTAssertEqual(h.run("set cache disk").1, "cache = disk")
        XCTAssertEqual(h.run("set cachedir cachefiles").1, "cachedir = \(h.root)/cachefiles")
        let (loaded, text) = h.run("load data")
        XCTAssertEqual(loaded, .success)
        let lines = text.components(separatedBy: "\n")
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: h.root + "/cachefiles").first)
        XCTAssertTrue(file.hasPrefix("data-") && file.hasSuffix("-18x18-jpeg.mtmccache"), file)
        let path = "\(h.root)/cachefiles/\(file)"
        let size = byteCount(Int(try FileManager.default.attributesOfItem(atPath: path)[.size] as! UInt64))
        XCTAssertTrue(lines.contains("cache: disk (set cache; 44 KB estimated for 45 images at 18×18)"), text)
        XCTAssertTrue(lines[0].hasSuffix(String(format: " s: 2 tasks, 45 images, cache %.1f MB on disk (18×18 per image)",
                                                Double(try FileManager.default.attributesOfItem(atPath: path)[.size] as! UInt64) / 1e6)), lines[0])
        XCTAssertTrue(lines.contains { $0.hasPrefix("cache: wrote \(path) in ") && $0.hasSuffix(" s, \(size) on disk") }, text)
        let info = h.run("info").1.components(separatedBy: "\n")
        XCTAssertTrue(info[1].hasPrefix("cache: disk, \(path), \(size) on disk, "), info[1])
        XCTAssertTrue(info[1].hasSuffix(" resident (18×18 per image)"), info[1])
        XCTAssertEqual(h.run("model tiny").0, .success)
        XCTAssertEqual(h.run("train 1").0, .success)
        XCTAssertEqual(h.run("eval").0, .success)
        XCTAssertTrue(h.run("load data").1.contains("cache: reused \(path), \(size) on disk, checked in "))

        h.run("set cache none")
        let none = h.run("load data").1
        XCTAssertTrue(none.contains("cache: none (set cache; 44 KB estimated for 45 images at 18×18)"), none)
        XCTAssertTrue(none.hasPrefix("loaded data in ") && none.contains(" s: 2 tasks, 45 images, no cache (18×18 per image)\n"), none)
        XCTAssertEqual(h.run("info").1.components(separatedBy: "\n")[1], "cache: none, images decoded from their files on every read (18×18 per image)")
        XCTAssertEqual(h.run("train 1").0, .success)

        XCTAssertEqual(h.run("set cache auto").1, "cache = auto")
        let auto = h.run("load data").1
        XCTAssertTrue(auto.contains("cache: memory (auto: 44 KB estimated for 45 images at 18×18, within a quarter of RAM, "), auto)
        XCTAssertEqual(h.run("info").1.components(separatedBy: "\n")[1], "cache: memory, 44 KB resident (18×18 per image)")
        XCTAssertEqual(h.run("set cache tape").1, "error: set cache: 'tape' is not allowed; allowed: auto, memory, disk or none; it stays auto")
    }

    /// A disk cache chunk that fails its checksum is found by the command that first reads it, which says so once;
    /// the next load rebuilds the cache from that chunk.
    func testTheCommandThatReadsACorruptChunkSaysSoAndTheNextLoadRebuildsIt() throws {
        let h = Harness()
        h.run("set cache disk")
        h.run("set cachedir cachefiles")
        XCTAssertEqual(h.run("load data").0, .success)
        let path = h.root + "/cachefiles/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: h.root + "/cachefiles").first))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0x10  // the last image of the only chunk (45 images of 18×18 fit one)
        try FileManager.default.removeItem(atPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(h.run("load data").1.contains("cache: reused \(path), "))
        let (checked, text) = h.run("check")
        XCTAssertEqual(checked, .success)
        XCTAssertEqual(text.components(separatedBy: "\n").last, "cache: chunk 1 of 1 (cache slots 1–45) of \(path) fails its checksum; its images "
                       + "are read from the original files, and the next load rebuilds the cache from there")
        XCTAssertFalse(h.run("check").1.contains("cache:"), "said once")
        XCTAssertTrue(h.run("load data").1.contains("cache: rebuilding \(path): the file is corrupt: chunk 1 of 1 (cache slots 1–45) "
                                                    + "failed its checksum when read by an earlier session"))
    }
}
