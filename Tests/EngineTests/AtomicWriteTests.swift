import Engine
import Foundation
import XCTest

/// Atomic writes under injected failures. The failure is a file-size limit (RLIMIT_FSIZE), which binds
/// root too, so "the previous file is intact" is checked where it can really break.
final class AtomicWriteTests: XCTestCase {
    private var folder = ""

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-atomic-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `body` with writes limited to `bytes` per file; SIGXFSZ is ignored so the write fails with EFBIG.
    private func withFileSizeLimit(_ bytes: Int, _ body: () throws -> Void) rethrows {
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = saved
        limited.rlim_cur = rlim_t(bytes)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        try body()
    }

    func testAWriteThatFailsMidwayLeavesThePreviousFileByteForByteAndNoTemporaryFile() throws {
        let path = folder + "/m.safetensors"
        let old = Data((0..<1000).map { UInt8($0 % 251) })
        try writeAtomically(old, to: path)
        try withFileSizeLimit(4096) {
            XCTAssertThrowsError(try writeAtomically(Data(count: 100_000), to: path)) { error in
                XCTAssertEqual("\(error)", "cannot write \(path): File too large; the previous file, if any, is unchanged")
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), old)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["m.safetensors"])
    }

    func testNonRegularTargetsAreRefusedAndLeftAlone() throws {
        let fifo = folder + "/fifo", link = folder + "/link", victim = folder + "/victim"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try Data("victim".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        for target in [fifo, link, folder] {
            XCTAssertThrowsError(try writeAtomically(Data("x".utf8), to: target)) { error in
                XCTAssertEqual("\(error)", "cannot write \(target): it exists and is not a regular file; nothing was written")
            }
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), victim)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "victim")
    }

    /// The temporary file's name cannot be guessed: a link planted where a predictable name would be
    /// is never written through.
    func testAPlantedTemporaryLinkIsNotWrittenThrough() throws {
        let victim = folder + "/victim"
        try Data("victim".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: folder + "/.m.tmp-\(getpid())", withDestinationPath: victim)
        try writeAtomically(Data("new".utf8), to: folder + "/m")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "victim")
        XCTAssertEqual(try String(contentsOfFile: folder + "/m", encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), [".m.tmp-\(getpid())", "m", "victim"])
    }
}
