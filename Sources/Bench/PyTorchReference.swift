import Foundation

/// The PyTorch side of the benchmark: scripts in tools/bench run by python3, each printing one JSON
/// line as its last line. Nil (with the reason on standard error) when python3 or torch is missing.
enum PyTorchReference {
    /// $MTMC_TOOLS (a binary carried to another machine), else tools/ of the tree it was built from.
    static let toolsFolder = ProcessInfo.processInfo.environment["MTMC_TOOLS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools").standardized.path

    /// Runs `python3 tools/<script> arguments…` and decodes its last output line.
    static func run(_ script: String, _ arguments: [String]) -> [String: Any]? {
        guard let line = ChildProcess.run("/usr/bin/env", ["python3", "\(toolsFolder)/\(script)"] + arguments)?.lastLine,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            FileHandle.standardError.write("PyTorch reference \(script) did not run (pip install torch pillow?)\n".data(using: .utf8)!)
            return nil
        }
        return json
    }

    /// The same model and recipe as `EngineSession`, one process per layout (NCHW and channels_last), each
    /// with its own peak memory; none (with the reason on standard error) when python3 or torch is missing.
    static func engineSides(_ s: EngineBenchmark.Settings) -> [BenchmarkSide] {
        [("NCHW", "nchw"), ("channels_last", "channels_last")].compactMap { name, layout in
            do {
                return try WindowProcess(name: name, "/usr/bin/env", ["python3", "\(toolsFolder)/bench/engine_bench.py", "--layout", layout]
                                         + s.arguments(stepsOption: "--steps-per-window"))
            } catch {
                FileHandle.standardError.write("PyTorch reference engine_bench.py did not run (pip install torch?): \(error)\n".data(using: .utf8)!)
                return nil
            }
        }
    }
}

/// A child process's standard output, or nil when it could not start or exited non-zero.
enum ChildProcess {
    struct Output {
        let text: String
        var lastLine: String? { text.split(separator: "\n").last.map(String.init) }
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) -> Output? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Output(text: String(decoding: data, as: UTF8.self))
    }
}
