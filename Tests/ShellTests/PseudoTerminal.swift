import Foundation
import XCTest

/// `mtmc` on a pseudo-terminal of the test's own, so that the test plays the terminal: it sees every byte
/// mtmc writes (the questions it asks the terminal, the pictures it draws) and types the terminal's answers.
/// The environment is exactly what the test gives (and PATH, HOME, LANG), so the terminal the tests run in,
/// or a tmux around them, says nothing to mtmc.
final class PseudoTerminal {
    private let master: Int32
    private let process = Process()
    /// Everything mtmc wrote so far (the terminal turns each "\n" into "\r\n").
    private(set) var written = Data()
    var text: String { String(decoding: written, as: UTF8.self) }

    /// glibc's openpty(3), which Swift's Glibc module does not bring in (its header is pty.h); looked up in the process.
    private static let openPseudoTerminal = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "openpty")!,
        to: (@convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<CChar>?,
                             UnsafeRawPointer?, UnsafeRawPointer?) -> Int32).self)

    init(_ arguments: [String], in folder: String, environment: [String: String] = [:],
         columns: UInt16 = 200, rows: UInt16 = 200, pixels: (width: UInt16, height: UInt16)? = nil) throws {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: pixels?.width ?? 0, ws_ypixel: pixels?.height ?? 0)
        var master: Int32 = -1, slave: Int32 = -1
        guard Self.openPseudoTerminal(&master, &slave, nil, nil, &size) == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no pseudo-terminal: \(String(cString: strerror(errno)))"])
        }
        self.master = master
        defer { close(slave) }
        let home = folder + "/.home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.arguments = arguments
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home,
                               "XDG_STATE_HOME": home + "/state", "LANG": "C.UTF-8", "TERM": "xterm-256color"].merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Reads until what was written holds `expected`, or mtmc closes the terminal (it exited); returns whether
    /// `expected` came. A minute without a byte ends mtmc, so that a hang fails the test instead of holding it.
    @discardableResult
    func read(until expected: String?) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while expected.map({ written.range(of: Data($0.utf8)) == nil }) ?? true {
            var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 60_000) > 0 else {
                process.terminate()
                XCTFail("mtmc wrote nothing for a minute; it wrote:\n\(text.debugDescription)")
                return false
            }
            let count = Foundation.read(master, &buffer, buffer.count)
            guard count > 0 else { return false }  // EIO: every descriptor of the terminal is closed
            written.append(contentsOf: buffer[..<count])
        }
        return true
    }

    /// Types `answer` as the terminal's reply.
    func answer(_ answer: String) {
        let bytes = Array(answer.utf8)
        XCTAssertEqual(Foundation.write(master, bytes, bytes.count), bytes.count)
    }

    /// Reads until mtmc exits; returns its exit status.
    func finish() -> Int32 {
        read(until: nil)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
