import Foundation
import XCTest

/// `mtmc` driven over a pipe, one line at a time: piped standard input runs each line as it arrives, so a
/// test can change files between two commands of one session. With `terminal`, `script(1)` puts a
/// pseudo-terminal between the pipe and mtmc, which then runs its interactive prompt (libedit, history file).
final class PipedSession {
    private let process = Process()
    private let input = Pipe()
    private let output: FileHandle
    private var bytes = Data()
    /// Everything printed so far (standard output and error).
    var transcript: String { String(decoding: bytes, as: UTF8.self) }

    init(in folder: String, environment: [String: String] = [:], terminal: Bool = false) throws {
        if terminal {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "'" + MTMC.binary.replacingOccurrences(of: "'", with: "'\\''") + "'", "/dev/null"]
        } else {
            process.executableURL = URL(fileURLWithPath: MTMC.binary)
        }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = input
        output = pipe.fileHandleForReading
        try process.run()
    }

    /// Sends one command and reads until what it prints holds `expected`; returns what it printed.
    @discardableResult
    func send(_ line: String, until expected: String, file: StaticString = #filePath, line number: UInt = #line) -> String {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        return read(until: expected, after: line, file: file, line: number)
    }

    /// Reads until what comes holds `expected`, the output ends, or nothing more comes for two minutes (a loaded
    /// machine; the session is then ended, so a broken behaviour fails, never hangs); returns what came.
    @discardableResult
    func read(until expected: String, after line: String = "the start", file: StaticString = #filePath, line number: UInt = #line) -> String {
        let mark = bytes.count
        func printed() -> String { String(decoding: bytes.suffix(from: mark), as: UTF8.self) }
        var waiting = pollfd(fd: output.fileDescriptor, events: Int16(POLLIN), revents: 0)
        while !printed().contains(expected), poll(&waiting, 1, 120_000) > 0 {
            let data = output.availableData
            if data.isEmpty { break }
            bytes += data
        }
        if !printed().contains(expected) {
            XCTFail("'\(line)' did not print '\(expected)'; it printed:\n\(printed())", file: file, line: number)
            if process.isRunning { process.terminate() }
        }
        return printed()
    }

    /// Ends the input and waits for the exit; returns the status.
    func finish() -> Int32 {
        input.fileHandleForWriting.closeFile()
        bytes += output.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
