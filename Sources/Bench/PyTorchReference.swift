import Engine
import Foundation

/// The PyTorch side of the benchmark: scripts in tools/bench run by the bench environment's interpreter (else
/// python3), each printing one JSON line as its last line. Nil (with the reason on standard error) when neither
/// has torch.
enum PyTorchReference {
    /// $MTMC_TOOLS (a binary carried to another machine), else tools/ of the tree it was built from.
    static let toolsFolder = ProcessInfo.processInfo.environment["MTMC_TOOLS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools").standardized.path

    /// Runs `PYTHON tools/<script> arguments…` (`pythonCommand`'s interpreter) and decodes its last output line.
    static func run(_ script: String, _ arguments: [String]) -> [String: Any]? {
        let (python, command) = pythonCommand(script)
        guard let line = ChildProcess.run(python, command + arguments)?.lastLine,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            FileHandle.standardError.write("PyTorch reference \(script) did not run (pip install torch pillow?)\n".data(using: .utf8)!)
            return nil
        }
        return json
    }

    /// Where tools/bench/bench-venv.sh keeps the environment: beside the build folder of this tree.
    static let benchEnvironment = URL(fileURLWithPath: toolsFolder).appendingPathComponent("../.build/bench-venv").standardized.path

    /// The interpreter of tools/bench/bench-venv.sh's environment (torch, onnx, onnxruntime), made on first
    /// use; nil (with the reason on standard error) when it cannot be made.
    static let benchPython: String? = {
        let folder = benchEnvironment
        guard let python = ChildProcess.run("/bin/bash", ["\(toolsFolder)/bench/bench-venv.sh", folder])?.lastLine else {
            FileHandle.standardError.write("tools/bench/bench-venv.sh could not make \(folder)\n".data(using: .utf8)!)
            return nil
        }
        return python
    }()

    /// The command line that runs `tools/<script>` under PyTorch: the bench environment's interpreter when it is
    /// already made and imports torch (the PyTorch rows alone never make it), else python3.
    static func pythonCommand(_ script: String) -> (String, [String]) {
        let python = benchEnvironment + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: python), ChildProcess.run(python, ["-c", "import torch"]) != nil {
            return (python, ["\(toolsFolder)/\(script)"])
        }
        return ("/usr/bin/env", ["python3", "\(toolsFolder)/\(script)"])
    }

    /// The same model and recipe as `EngineSession`, one process per layout (NCHW and channels_last), each
    /// with its own peak memory; none (with the reason on standard error) when python3 or torch is missing.
    static func engineSides(_ s: EngineBenchmark.Settings) -> [BenchmarkSide] {
        let (python, script) = pythonCommand("bench/engine_bench.py")
        return [("NCHW", "nchw"), ("channels_last", "channels_last")].compactMap { name, layout in
            do {
                return try WindowProcess(name: name, python, script + ["--layout", layout]
                                         + s.arguments(stepsOption: "--steps-per-window"))
            } catch {
                FileHandle.standardError.write("PyTorch reference engine_bench.py did not run (pip install torch?): \(error)\n".data(using: .utf8)!)
                return nil
            }
        }
    }
}

extension PyTorchReference {
    /// The reference net exported to ONNX and run by ONNX Runtime (tools/bench/ort_bench.py): evaluation and
    /// batch-1 latency windows only; the failure says why when it cannot start.
    static func onnxRuntimeSide(_ s: EngineBenchmark.Settings) -> Result<BenchmarkSide, EngineError> {
        guard let python = benchPython else { return .failure(EngineError("no bench environment (tools/bench/bench-venv.sh failed)")) }
        return Result {
            try WindowProcess(name: "ONNX Runtime", python, ["\(toolsFolder)/bench/ort_bench.py"] + s.arguments(stepsOption: "--steps-per-window"),
                              phases: ["eval", "latency"])
        }.mapError { $0 as? EngineError ?? EngineError("\($0)") }
    }

    /// engine_bench.py with --compile (torch.compile, inductor) in channels_last, eager PyTorch's faster training
    /// layout in BENCHMARKS.md's tables: training windows only, compiled during its warm-up before the first window.
    static func compiledSide(_ s: EngineBenchmark.Settings) -> Result<BenchmarkSide, EngineError> {
        guard let python = benchPython else { return .failure(EngineError("no bench environment (tools/bench/bench-venv.sh failed)")) }
        return Result {
            try WindowProcess(name: "torch.compile", python, ["\(toolsFolder)/bench/engine_bench.py", "--compile", "--layout", "channels_last"]
                              + s.arguments(stepsOption: "--steps-per-window"), phases: ["train"])
        }.mapError { $0 as? EngineError ?? EngineError("\($0)") }
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
