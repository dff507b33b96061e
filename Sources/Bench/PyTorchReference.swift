import Foundation

/// Runs tools/bench/engine_bench.py (the same net in PyTorch) and reads its JSON figures;
/// nil when python3 or torch is missing. The faster of NCHW and channels_last is reported.
enum PyTorchReference {
    static func run(_ s: EngineBenchmark.Settings) -> BenchmarkFigures? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../tools/bench/engine_bench.py").standardized.path
        guard FileManager.default.fileExists(atPath: script) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--threads", "\(s.threads)", "--windows", "\(s.windows)",
                             "--batch", "\(s.batch)", "--size", "\(s.size)", "--steps-per-window", "\(s.stepsPerWindow)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let train = json["train_ips"] as? Double, let eval = json["eval_ips"] as? Double,
              let latency = json["latency_ms"] as? Double, let rss = json["peak_rss_mb"] as? Double else { return nil }
        print(String(format: "PyTorch %@: train %.1f images/s NCHW, %.1f channels_last (the faster is compared)",
                     json["torch_version"] as? String ?? "?",
                     json["train_ips_nchw"] as? Double ?? 0, json["train_ips_channels_last"] as? Double ?? 0))
        return BenchmarkFigures(trainImagesPerSecond: train, evalImagesPerSecond: eval,
                                latencyMilliseconds: latency, peakResidentMegabytes: rss)
    }
}
