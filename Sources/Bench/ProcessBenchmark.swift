import Foundation

/// The rows measured through whole programs: the data pipeline, the real `train` command, and a one-off
/// `mtmc predict` process, each beside what a PyTorch user would run.
enum ProcessBenchmark {
    static let mtmc = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("mtmc").path

    static func rows(threads: Int) throws -> [FullBenchmark.Row] {
        print("generating 3000 JPEGs (256×256) for the data, train and predict rows (once; not timed)…")
        let tree = try DataBenchmark.makeTree(count: 3000, side: 256, jpeg: true)
        var rows: [FullBenchmark.Row] = []

        rows.append(try pipelineRow(tree: tree, threads: threads, torch: true))

        print("running the train command…")
        guard FileManager.default.isExecutableFile(atPath: mtmc) else {
            print("no mtmc binary beside mtmc-bench (swift build -c release): train and predict rows skipped")
            return rows
        }
        rows.append(try TrainCommandBenchmark.row(tree: tree, threads: threads, epochs: 7))

        rows.append(try predictRow(tree: tree))
        return rows
    }

    /// The data pipeline row: three runs of mtmc's whole data path over the tree, then three of the PyTorch
    /// DataLoader doing the same (`torch` false, or torch not importable, leaves the peer out).
    static func pipelineRow(tree: String, threads: Int, torch: Bool) throws -> FullBenchmark.Row {
        print("running the data pipeline…")
        let runs = try (0..<3).map { _ in try DataBenchmark.pipelineImagesPerSecond(tree: tree, threads: threads) }
        print(String(format: "mtmc: %d images, load (decode + resize) %.2f s of %.2f s", runs[0].images, runs[0].loadSeconds,
                     Double(runs[0].images) / runs[0].rate))
        let peer = torch ? (0..<3).compactMap { _ in
            PyTorchReference.run("bench/data_bench.py", [tree, "--size", "64", "--workers", "\(threads)"])?["images_per_second"] as? Double
        } : []
        return .init(name: "data pipeline img/s (decode, resize, augment, normalise)", mtmc: runs.map(\.rate),
                     peer: peer.isEmpty ? nil : peer, higherIsBetter: true, target: "≥ 2.0")
    }

    /// One-off prediction: a fresh `mtmc predict --model` process against a Python process doing the same
    /// with torch, each started with posix_spawn (Foundation's Process adds tens of milliseconds of its own).
    static func predictRow(tree: String) throws -> FullBenchmark.Row {
        print("running one-off predictions…")
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-bench-tiny.safetensors").path
        guard ChildProcess.run(mtmc, ["-c", "load \(tree); model tiny; save \(checkpoint)"]) != nil else {
            throw ReferenceError("could not write \(checkpoint)")
        }
        let image = "\(tree)/task0/val/class1/2.jpg"  // image 2: task 0, class 1, in val (DataBenchmark.makeTree)
        let ourTimes = (0..<7).compactMap { _ in spawnMilliseconds(mtmc, ["predict", "--model", checkpoint, image]) }
        let (python, script) = PyTorchReference.pythonCommand("bench/predict_bench.py")
        let peerTimes = (0..<5).compactMap { _ in spawnMilliseconds(python, script + [checkpoint, image]) }
        return .init(name: "one-off predict process ms", mtmc: ourTimes, peer: peerTimes.isEmpty ? nil : peerTimes,
                     higherIsBetter: false, target: "≤ 0.03")
    }

    /// Wall milliseconds from posix_spawn to the child's exit, its output sent to /dev/null; nil when it failed.
    static func spawnMilliseconds(_ executable: String, _ arguments: [String]) -> Double? {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0, status: Int32 = 0
        let start = EngineBenchmark.now()
        guard posix_spawn(&pid, executable, &actions, nil, &argv, environ) == 0, waitpid(pid, &status, 0) == pid, status == 0 else {
            return nil
        }
        return (EngineBenchmark.now() - start) * 1000
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
