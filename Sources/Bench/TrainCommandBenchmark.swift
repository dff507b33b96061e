import Foundation

/// The row of the real `train` command against the pure training step of the same model, batch and input
/// size, each epoch of the command between two windows of steps of an `engine --serve` child. A shared or
/// virtual machine's cores change speed every few seconds to minutes, so figures taken minutes apart compare
/// the machine's states, not the programs; each ratio here is of windows run one right after the other.
enum TrainCommandBenchmark {
    /// Training steps per window of the pure step: half as long as one epoch of the command on the tree of
    /// `ProcessBenchmark` (2400 training images, 38 batches of 64); a window before and one after each epoch
    /// together sample the stretch of time around it.
    static let stepsPerWindow = 18

    /// `epochs` epochs (`train 1`) of one mtmc shell, each between two windows of pure steps (S T S T … S),
    /// after one untimed epoch that warms the shell up. Each epoch's ratio is to the mean of the windows on
    /// either side, so a steady drift of the machine's speed across the pair cancels.
    static func row(tree: String, threads: Int, epochs: Int) throws -> FullBenchmark.Row {
        // What `train` runs on this tree with these settings: tiny, 64×64 (the default size), batch 64,
        // augmentation off (auto picks off for runs under 10 epochs), two tasks whose steps alternate.
        let s = EngineBenchmark.Settings(model: "tiny", size: 64, batch: 64, threads: threads, windows: epochs + 1,
                                         stepsPerWindow: stepsPerWindow, latencyRuns: 1)
        let step = try FullBenchmark.engineInChild(s)
        defer { step.close() }
        let shell = try WindowProcess(name: "mtmc", ProcessBenchmark.mtmc, [], waitForReady: false)
        defer { shell.close() }
        for command in ["set threads \(threads)", "set batch 64", "load \(tree)", "model tiny"] {
            try shell.send(command)
        }
        _ = try epoch(shell)  // warm-up: the first epoch's buffers, threads and page faults
        func stepWindow() throws -> Double {
            Thread.sleep(forTimeInterval: AlternatingBenchmark.settle)
            guard let rate = try step.request("train").first else { throw ReferenceError("the step window answered nothing") }
            return rate
        }
        var commandRates: [Double] = [], stepRates = [try stepWindow()]
        for e in 0..<epochs {
            Thread.sleep(forTimeInterval: AlternatingBenchmark.settle)
            commandRates.append(try epoch(shell))
            stepRates.append(try stepWindow())
            print(String(format: "epoch %d: train command %.0f img/s, pure step %.0f and %.0f img/s around it, ratio %.2f", e + 1,
                         commandRates[e], stepRates[e], stepRates[e + 1], ratiosAround(commandRates, stepRates)[e]))
        }
        return .init(name: "train command img/s vs the tiny step rate (peer: mtmc-bench)", mtmc: commandRates,
                     peer: stepRates, higherIsBetter: true, target: "≥ 0.9", pairRatios: ratiosAround(commandRates, stepRates))
    }

    /// Each epoch's rate over the mean of the windows before and after it (`windows[i]`, `windows[i + 1]`).
    static func ratiosAround(_ epochs: [Double], _ windows: [Double]) -> [Double] {
        epochs.indices.filter { $0 + 1 < windows.count }.map { epochs[$0] / ((windows[$0] + windows[$0 + 1]) / 2) }
    }

    /// Sends `train 1` and returns the img/s of its epoch line, once the command has printed its last line
    /// (`log: …`), so that the shell is idle when the next window starts.
    static func epoch(_ shell: WindowProcess) throws -> Double {
        try shell.send("train 1")
        var rate: Double?, lines: [String] = []
        while let line = shell.readLine() {
            lines.append(line)
            if line.hasPrefix("epoch ") { rate = imagesPerSecond(inEpochLine: line) }
            if line.hasPrefix("log") {
                guard let rate else { throw ReferenceError("train 1 printed no epoch line with img/s: " + lines.joined(separator: " / ")) }
                return rate
            }
        }
        throw ReferenceError("mtmc ended during train 1; its last lines: " + lines.suffix(5).joined(separator: " / "))
    }

    /// The img/s field of an epoch line (`epoch 3  task0 loss … top-1 …  812 img/s  lr 0.05`).
    static func imagesPerSecond(inEpochLine line: String) -> Double? {
        line.components(separatedBy: "  ").first { $0.hasSuffix(" img/s") }.flatMap { Double($0.dropLast(" img/s".count)) }
    }
}
