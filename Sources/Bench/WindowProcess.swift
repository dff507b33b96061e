import Engine
import Foundation

/// A benchmark side in a process of its own, driven one window at a time over its standard input: it
/// prints `ready` when built and warmed up, then answers each command line with one JSON list of numbers
/// (`EngineSession.serve` and tools/bench/engine_bench.py speak this). Its standard error is ours.
final class WindowProcess: BenchmarkSide {
    let name: String
    let phases: Set<String>
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending = Data()

    /// Starts `executable arguments…` and, unless `waitForReady` is false, waits until it says it is ready
    /// (a child that cannot run says `error: REASON` instead, and the thrown error carries that line).
    init(name: String, _ executable: String, _ arguments: [String], phases: Set<String> = AlternatingBenchmark.allPhases,
         waitForReady: Bool = true) throws {
        self.name = name
        self.phases = phases
        signal(SIGPIPE, SIG_IGN)  // a child that died answers a write with an error, not by ending this process
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        guard waitForReady else { return }
        let line = readLine()
        guard line == "ready" else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            throw EngineError("\(name) did not start (exit status \(process.terminationStatus)\(line.map { ": " + $0 } ?? ""))")
        }
    }

    /// The next line of the child's output; nil at its end.
    func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[(newline + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }

    /// Runs one command (train, eval, latency, rss) and returns its answer.
    func request(_ command: String) throws -> [Double] {
        try send(command)
        guard let line = readLine() else { throw EngineError("\(name) ended during \(command)") }
        guard let values = try? JSONDecoder().decode([Double].self, from: Data(line.utf8)) else {
            throw EngineError("\(name) answered \(command) with \(line)")
        }
        return values
    }

    /// Writes one line to the child's standard input.
    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Asks the child to quit and waits for it.
    func close() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
