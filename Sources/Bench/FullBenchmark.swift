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
        /// mtmc ÷ peer of each pair of windows run next to each other; without them the ratio is of the medians.
        var pairRatios: [Double]? = nil
    }

    /// mtmc's side of one model in a process of its own (`engine --serve`), so that its peak memory is its own.
    static func engineInChild(_ s: EngineBenchmark.Settings) throws -> BenchmarkSide {
        try WindowProcess(name: "mtmc", "/proc/self/exe", ["engine", "--serve"] + s.arguments())
    }

    static func run(threads: Int, windows: Int) throws {
        let ceiling = measureSgemmCeiling(threads: threads)
        print(String(format: "sgemm ceiling (2048³, %d threads, best of 3): %.1f GFLOP/s", threads, ceiling))
        var rows: [Row] = []
        var shares: [String] = []
        // model, size, steps per window, latency runs per window, latency row beside PyTorch; every net but
        // Darknet also runs beside ONNX Runtime (evaluation, latency) and torch.compile (training).
        let configurations: [(String, Int, Int, Int, Bool)] = [
            ("tiny", 64, 4, 20, true), ("resnet18", 64, 2, 10, false), ("resnet18", 224, 1, 5, true), ("darknet", 64, 2, 10, false),
        ]
        var notes: [String] = []
        for (model, size, steps, latencyRuns, latencyRow) in configurations {
            let s = EngineBenchmark.Settings(model: model, size: size, batch: 64, threads: threads,
                                             windows: size > 64 ? min(windows, 3) : windows,
                                             stepsPerWindow: steps, latencyRuns: latencyRuns)
            print("running \(model) \(size)×\(size)…")
            let result = try AlternatingBenchmark.run(s, ours: try engineInChild(s), torch: true,
                                                      onnx: model != "darknet", compiled: model != "darknet")
            let ours = result.mtmc, peer = result.peer.map { (figures: $0, layout: result.layout) }
            let label = "\(model) \(size)×\(size) b64"
            rows += result.rows(s, targets: .init(train: model == "tiny" ? "≥ 1.2" : "≥ 1.0",
                                                  eval: model == "tiny" ? "≥ 1.2" : model == "darknet" ? "—" : "≥ 1.0",
                                                  latency: latencyRow ? (model == "tiny" ? "≤ 0.8" : "≤ 1.0") : nil,
                                                  memory: size == 64 || model == "resnet18" ? "≤ 0.6" : nil))
            let deployment = result.deploymentRows(s)
            rows += deployment.rows
            notes += deployment.notes
            let flops = try EngineBenchmark.trainingFLOPs(s)
            shares.append(String(format: "%@: %.2f GFLOP per training image (direct convolution; Winograd does fewer), %.0f GFLOP/s = %.0f%% of the ceiling (PyTorch %@: %@)",
                                 label, flops / 1e9, median(ours.trainImagesPerSecond) * flops / 1e9,
                                 100 * median(ours.trainImagesPerSecond) * flops / 1e9 / ceiling, peer?.layout ?? "—",
                                 peer.map { String(format: "%.0f%%", 100 * median($0.figures.trainImagesPerSecond) * flops / 1e9 / ceiling) } ?? "—"))
        }
        rows += try ProcessBenchmark.rows(threads: threads)
        print(table(rows))
        shares.forEach { print($0) }
        notes.forEach { print($0) }
    }

    static func table(_ rows: [Row]) -> String {
        func f(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v) }
        func spread(_ v: [Double]) -> String { v.count > 1 ? "\(f(v.min()!))–\(f(v.max()!))" : "" }
        var lines = ["| row | mtmc | peer | mtmc / peer | target | mtmc spread | peer spread |", "|---|---|---|---|---|---|---|"]
        for r in rows {
            let a = median(r.mtmc), b = r.peer.map(median)
            let ratio = (r.pairRatios.map(median) ?? b.map { a / $0 }).map { String(format: "%.2f", $0) } ?? "—"
            lines.append("| \(r.name) | \(f(a)) | \(b.map(f) ?? "—") | \(ratio) | \(r.target) | \(spread(r.mtmc)) | \(r.peer.map(spread) ?? "") |")
        }
        return lines.joined(separator: "\n")
    }
}

extension AlternatingBenchmark.Result {
    /// The rows beside the deployed peers: evaluation and batch-1 latency beside ONNX Runtime (targets ≥ 1.2
    /// and ≤ 0.8), training beside the faster of eager PyTorch and torch.compile in each window (≥ 1.2); and
    /// a note per peer: compiled training's own rate, or why a peer did not run.
    func deploymentRows(_ s: EngineBenchmark.Settings) -> (rows: [FullBenchmark.Row], notes: [String]) {
        let label = "\(s.model) \(s.size)×\(s.size)"
        var rows: [FullBenchmark.Row] = [], notes: [String] = []
        switch onnxRuntime {
        case .success(let ort):
            rows.append(FullBenchmark.Row(name: "\(label) b\(s.batch) eval img/s (peer: ONNX Runtime)", mtmc: mtmc.evalImagesPerSecond,
                                          peer: ort.evalImagesPerSecond, higherIsBetter: true, target: "≥ 1.2",
                                          pairRatios: AlternatingBenchmark.pairRatios(mtmc.evalImagesPerSecond, ort.evalImagesPerSecond)))
            rows.append(FullBenchmark.Row(name: "\(label) batch-1 latency ms (peer: ONNX Runtime)", mtmc: mtmc.latencyMilliseconds,
                                          peer: ort.latencyMilliseconds, higherIsBetter: false, target: "≤ 0.8",
                                          pairRatios: AlternatingBenchmark.pairRatios(mtmc.latencyWindows.map(median), ort.latencyWindows.map(median))))
        case .failure(let error): notes.append("\(label): no ONNX Runtime rows: \(error)")
        case nil: break
        }
        switch compiled {
        case .success(let compiled):
            let eager = peer?.trainImagesPerSecond ?? []
            let faster = eager.isEmpty ? compiled.trainImagesPerSecond : zip(eager, compiled.trainImagesPerSecond).map { max($0, $1) }
            rows.append(FullBenchmark.Row(name: "\(label) b\(s.batch) train img/s (peer: faster of eager, torch.compile)",
                                          mtmc: mtmc.trainImagesPerSecond, peer: faster, higherIsBetter: true, target: "≥ 1.2",
                                          pairRatios: AlternatingBenchmark.pairRatios(mtmc.trainImagesPerSecond, faster)))
            notes.append(String(format: "%@ b%d: torch.compile (inductor, channels_last) trains %.1f img/s, eager PyTorch (%@) %.1f",
                                label, s.batch, median(compiled.trainImagesPerSecond), layout, median(eager)))
        case .failure(let error): notes.append("\(label): no torch.compile row: \(error)")
        case nil: break
        }
        return (rows, notes)
    }

    /// Which rows to print and their targets; a nil target leaves the row out.
    struct Targets {
        var train = "", eval = ""
        var latency: String? = "", memory: String? = ""
    }

    /// The table rows of this run: training, evaluation, batch-1 latency and peak memory. The latency
    /// ratio pairs the windows' medians; the spreads are over every run.
    func rows(_ s: EngineBenchmark.Settings, targets: Targets) -> [FullBenchmark.Row] {
        let label = "\(s.model) \(s.size)×\(s.size)"
        func paired(_ a: [Double], _ b: [Double]?) -> [Double]? { b.map { AlternatingBenchmark.pairRatios(a, $0) } }
        var rows = [
            FullBenchmark.Row(name: "\(label) b\(s.batch) train img/s", mtmc: mtmc.trainImagesPerSecond, peer: peer?.trainImagesPerSecond,
                              higherIsBetter: true, target: targets.train,
                              pairRatios: paired(mtmc.trainImagesPerSecond, peer?.trainImagesPerSecond)),
            FullBenchmark.Row(name: "\(label) b\(s.batch) eval img/s", mtmc: mtmc.evalImagesPerSecond, peer: peer?.evalImagesPerSecond,
                              higherIsBetter: true, target: targets.eval,
                              pairRatios: paired(mtmc.evalImagesPerSecond, peer?.evalImagesPerSecond)),
        ]
        if let target = targets.latency {
            rows.append(FullBenchmark.Row(name: "\(label) batch-1 latency ms", mtmc: mtmc.latencyMilliseconds, peer: peer?.latencyMilliseconds,
                                          higherIsBetter: false, target: target,
                                          pairRatios: paired(mtmc.latencyWindows.map(median), peer?.latencyWindows.map(median))))
        }
        if let target = targets.memory {
            rows.append(FullBenchmark.Row(name: "\(label) b\(s.batch) peak RSS MB (training)", mtmc: [mtmc.peakResidentMegabytes],
                                          peer: peer.map { [$0.peakResidentMegabytes] }, higherIsBetter: false, target: target))
        }
        return rows
    }
}
