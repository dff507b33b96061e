import Engine
import Foundation

/// mtmc-bench all: every row of the engine-speed table in one run, mtmc beside PyTorch (when torch is
/// importable), each model in a process of its own so that its peak memory is its own.
enum FullBenchmark {
    /// A row: mtmc's figures, the peer's, and how to read them.
    struct Row {
        let name: String
        let mtmc: [Double]
        let peer: [Double]?
        let higherIsBetter: Bool
        let target: String
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// This executable, run again for one model: `engine --json` prints its figures as JSON.
    static func engineInChild(_ s: EngineBenchmark.Settings) throws -> BenchmarkFigures {
        let arguments = ["engine", "--json", "--model", s.model, "--size", "\(s.size)", "--batch", "\(s.batch)",
                         "--threads", "\(s.threads)", "--windows", "\(s.windows)", "--steps", "\(s.stepsPerWindow)",
                         "--latency-runs", "\(s.latencyRuns)"]
        guard let line = ChildProcess.run("/proc/self/exe", arguments)?.lastLine else {
            throw EngineError("the \(s.model) \(s.size)×\(s.size) benchmark process failed")
        }
        return try JSONDecoder().decode(BenchmarkFigures.self, from: Data(line.utf8))
    }

    static func run(threads: Int, windows: Int) throws {
        let ceiling = measureSgemmCeiling(threads: threads)
        print(String(format: "sgemm ceiling (2048³, %d threads, best of 3): %.1f GFLOP/s", threads, ceiling))
        var rows: [Row] = []
        var shares: [String] = []
        var tinyTrain: [Double] = []
        let configurations: [(String, Int, Int, Int, Bool)] = [  // model, size, steps per window, latency runs, latency row
            ("tiny", 64, 4, 20, true), ("resnet18", 64, 2, 10, false), ("resnet18", 224, 1, 5, true), ("darknet", 64, 2, 10, false),
        ]
        for (model, size, steps, latencyRuns, latencyRow) in configurations {
            let s = EngineBenchmark.Settings(model: model, size: size, batch: 64, threads: threads,
                                             windows: size > 64 ? min(windows, 3) : windows,
                                             stepsPerWindow: steps, latencyRuns: latencyRuns)
            print("running \(model) \(size)×\(size)…")
            let ours = try engineInChild(s)
            let peer = PyTorchReference.engine(s)
            let label = "\(model) \(size)×\(size) b64"
            rows.append(Row(name: "\(label) train img/s", mtmc: ours.trainImagesPerSecond, peer: peer?.figures.trainImagesPerSecond,
                            higherIsBetter: true, target: model == "tiny" ? "≥ 1.2" : "≥ 1.0"))
            rows.append(Row(name: "\(label) eval img/s", mtmc: ours.evalImagesPerSecond, peer: peer?.figures.evalImagesPerSecond,
                            higherIsBetter: true, target: model == "tiny" ? "≥ 1.2" : model == "darknet" ? "—" : "≥ 1.0"))
            if latencyRow {
                rows.append(Row(name: "\(model) \(size)×\(size) batch-1 latency ms", mtmc: ours.latencyMilliseconds,
                                peer: peer?.figures.latencyMilliseconds, higherIsBetter: false, target: model == "tiny" ? "≤ 0.8" : "≤ 1.0"))
            }
            if size == 64 || model == "resnet18" {
                rows.append(Row(name: "\(label) peak RSS MB (training)", mtmc: [ours.peakResidentMegabytes],
                                peer: peer.map { [$0.figures.peakResidentMegabytes] }, higherIsBetter: false, target: "≤ 0.6"))
            }
            if model == "tiny" { tinyTrain = ours.trainImagesPerSecond }
            let flops = try EngineBenchmark.trainingFLOPs(s)
            shares.append(String(format: "%@: %.2f GFLOP per training image, %.0f GFLOP/s = %.0f%% of the ceiling (PyTorch %@: %@)",
                                 label, flops / 1e9, median(ours.trainImagesPerSecond) * flops / 1e9,
                                 100 * median(ours.trainImagesPerSecond) * flops / 1e9 / ceiling, peer?.layout ?? "—",
                                 peer.map { String(format: "%.0f%%", 100 * median($0.figures.trainImagesPerSecond) * flops / 1e9 / ceiling) } ?? "—"))
        }
        rows += try ProcessBenchmark.rows(threads: threads, pureStepRate: tinyTrain)
        print(table(rows))
        shares.forEach { print($0) }
    }

    static func table(_ rows: [Row]) -> String {
        func f(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v) }
        func spread(_ v: [Double]) -> String { v.count > 1 ? "\(f(v.min()!))–\(f(v.max()!))" : "" }
        var lines = ["| row | mtmc | peer | mtmc / peer | target | mtmc spread | peer spread |", "|---|---|---|---|---|---|---|"]
        for r in rows {
            let a = median(r.mtmc), b = r.peer.map(median)
            let ratio = b.map { String(format: "%.2f", a / $0) } ?? "—"
            lines.append("| \(r.name) | \(f(a)) | \(b.map(f) ?? "—") | \(ratio) | \(r.target) | \(spread(r.mtmc)) | \(r.peer.map(spread) ?? "") |")
        }
        return lines.joined(separator: "\n")
    }
}
