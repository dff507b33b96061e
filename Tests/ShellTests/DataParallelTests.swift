import Engine
import Foundation
import XCTest

/// `mpirun -np 2 mtmc SCRIPT` trains data-parallel. These tests need Open MPI (openmpi-bin,
/// libopenmpi-dev); without it they skip, saying so. Each run is two processes on one machine (loopback).
final class DataParallelTests: XCTestCase {
    /// Two ranks with a global batch of 64 (32 each) and synchronised batch norm end with the weights, running
    /// statistics and momentum one process reaches with batch 64; with per-rank statistics they do not.
    func testTwoRanksReachTheWeightsOfOneProcessWithTheWholeBatch() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, output) = try MTMC.run(["-c", recipe(save: "one.safetensors")], in: folder)
        XCTAssertEqual(status, 0, output)
        let two = try mpirun(["-c", recipe(save: "two.safetensors")], in: folder)
        XCTAssertEqual(two.status, 0, two.output)
        let perRank = try mpirun(["-c", "set syncbn off;" + recipe(save: "per-rank.safetensors")], in: folder)
        XCTAssertEqual(perRank.status, 0, perRank.output)

        let one = try SafeTensorsFile.read(from: folder + "/one.safetensors").tensors
        let synchronised = try SafeTensorsFile.read(from: folder + "/two.safetensors").tensors
        XCTAssertEqual(Set(one.keys), Set(synchronised.keys))
        XCTAssertGreaterThan(one.count, 40)
        for (name, tensor) in one { XCTAssertTrue(close(tensor, synchronised[name]!), name) }
        let unsynchronised = try SafeTensorsFile.read(from: folder + "/per-rank.safetensors").tensors
        XCTAssertTrue(one.contains { !close($0.value, unsynchronised[$0.key]!) }, "per-rank statistics must differ from the whole batch's")
    }

    /// Rank 0 alone prints: one transcript, with the job's layout in `info`.
    func testRankZeroAlonePrintsAndInfoShowsTheRanks() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, output) = try mpirun(["-c", "set size 16; info"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.components(separatedBy: "mtmc> info").count, 2, output)
        XCTAssertNotNil(output.range(of: #"processes: 2 ranks \(this is rank 0; Open MPI v[0-9.]+\), [^:]+: ranks 0,1; batch-norm statistics synchronised"#,
                                     options: .regularExpression), output)
    }

    /// A rank killed during training ends the job within a bounded time, rank 0 says why, and the checkpoint
    /// saved before is intact.
    func testAKilledRankEndsTheJobAndLeavesTheCheckpointIntact() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/long.mtmc"
        try ("set size 16\nset seed 3\nload \(MTMC.repository)/samples/prints\nbalance base 8\nmodel tiny\ntrain 1\n"
             + "save ck.safetensors\ntrain 500\n").write(toFile: script, atomically: true, encoding: .utf8)
        let job = try startMPIRun([script], in: folder)
        let checkpoint = folder + "/ck.safetensors"
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline && job.process.isRunning { usleep(200_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint), "the first save never happened")
        usleep(2_000_000)  // into `train 500`
        let rank1 = try XCTUnwrap(processes(runningScript: script).first { environment(of: $0)["OMPI_COMM_WORLD_RANK"] == "1" })
        kill(rank1, SIGKILL)
        let killed = Date()
        while job.process.isRunning && Date().timeIntervalSince(killed) < 60 { usleep(100_000) }
        XCTAssertFalse(job.process.isRunning, "the job did not end within 60 s of a rank's death")
        if job.process.isRunning { job.process.terminate() }
        let output = job.output()
        XCTAssertNotEqual(job.process.terminationStatus, 0)
        XCTAssertTrue(output.contains("mtmc: rank 0: stopped by mpirun because another rank ended early"), output)
        let (status, opened) = try MTMC.run(["-c", "open ck.safetensors"], in: folder)
        XCTAssertEqual(status, 0, opened)
        XCTAssertTrue(opened.contains("epoch 1"), opened)
    }

    /// Ranks about to run different commands end the job with a message naming each rank's command, before either
    /// runs it: run, the two `train`s would share one epoch's reductions and rank 1 would then wait for ever.
    func testRanksRunningDifferentCommandsEndTheJobNamingThem() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (setup + "train 1\n").write(toFile: folder + "/a.mtmc", atomically: true, encoding: .utf8)
        try (setup + "train 2\n").write(toFile: folder + "/b.mtmc", atomically: true, encoding: .utf8)
        let job = try startMPIRun(ranks: [["a.mtmc"], ["b.mtmc"]], in: folder)
        let (status, output) = job.finish(killAfter: 180)
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains("error: the ranks of this data-parallel job disagree on what to run next (every rank must run the same "
                                      + "commands): rank 0 runs `train 1` (a.mtmc:5); rank 1 runs `train 2` (b.mtmc:5)"), output)
        XCTAssertFalse(output.contains("epoch 1"), "no rank trains: " + output)
    }

    /// A rank whose script ends while another's goes on ends the job, naming both: the other would wait for ever
    /// in its first reduction.
    func testARankWhoseScriptEndsEarlyEndsTheJobNamingIt() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (setup + "train 1\n").write(toFile: folder + "/long.mtmc", atomically: true, encoding: .utf8)
        try setup.write(toFile: folder + "/short.mtmc", atomically: true, encoding: .utf8)
        let job = try startMPIRun(ranks: [["long.mtmc"], ["short.mtmc"]], in: folder)
        let (status, output) = job.finish(killAfter: 180)
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains("disagree on what to run next (every rank must run the same commands): rank 0 runs `train 1` "
                                      + "(long.mtmc:5); rank 1 ended its script (short.mtmc after line 4)"), output)
    }

    // MARK: - Running under mpirun

    /// The four commands both scripts of a disagreeing job start with.
    private var setup: String { "set size 16\nload \(MTMC.repository)/samples/prints\nbalance base 4\nmodel tiny\n" }

    /// Two tasks of the samples at 16×16, one batch per task and epoch (64 and 40 images), two epochs, no validation.
    private func recipe(save path: String) -> String {
        "set size 16; set seed 3; set batch 64; set validate 0; load \(MTMC.repository)/samples/prints; balance base 8; "
            + "model tiny; train 2; save \(path)"
    }

    /// Equal within 1e-4 of the tensor's largest magnitude. The floor of 1e-9 is for the bias of a linear layer
    /// that feeds a batch norm: its gradient is zero but for rounding, so it holds noise of about 1e-10.
    private func close(_ a: Tensor, _ b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        let x = a.scalars, y = b.scalars
        let scale = x.map(abs).max() ?? 0
        return zip(x, y).allSatisfy { abs($0 - $1) <= 1e-4 * scale + 1e-9 }
    }

    private struct Job {
        let process: Process
        let pipe: Pipe
        func output() -> String { String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

        /// Waits for the job to end and returns its status and output. After `seconds` (a safety net for a job
        /// that hangs, far beyond its normal time) mpirun is stopped with SIGTERM, which it passes to the ranks.
        func finish(killAfter seconds: Double) -> (status: Int32, output: String) {
            let process = process
            let safetyNet = DispatchWorkItem { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: safetyNet)
            let text = output()
            process.waitUntilExit()
            safetyNet.cancel()
            return (process.terminationStatus, text)
        }
    }

    private func mpirunPath() throws -> String {
        for path in ["/usr/bin/mpirun", "/usr/local/bin/mpirun"] where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw XCTSkip("Open MPI is not installed (apt-get install openmpi-bin libopenmpi-dev): data-parallel tests skipped")
    }

    /// `mpirun -np 2 mtmc ARGUMENTS`.
    private func startMPIRun(_ arguments: [String], in folder: String) throws -> Job {
        try startMPIRun(mpirunArguments: ["-np", "2", "--oversubscribe", MTMC.binary] + arguments, in: folder)
    }

    /// One rank per element, each running `mtmc` with its own arguments (`mpirun -np 1 mtmc A : -np 1 mtmc B`).
    private func startMPIRun(ranks: [[String]], in folder: String) throws -> Job {
        let contexts = ranks.map { ["-np", "1", MTMC.binary] + $0 }
        return try startMPIRun(mpirunArguments: ["--oversubscribe"] + contexts.joined(separator: [":"]), in: folder)
    }

    /// mpirun with these arguments; as root, as CI runs, mpirun needs its explicit consent.
    private func startMPIRun(mpirunArguments: [String], in folder: String) throws -> Job {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: try mpirunPath())
        process.arguments = mpirunArguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Job(process: process, pipe: pipe)
    }

    private func mpirun(_ arguments: [String], in folder: String) throws -> (status: Int32, output: String) {
        let job = try startMPIRun(arguments, in: folder)
        let output = job.output()
        job.process.waitUntilExit()
        return (job.process.terminationStatus, output)
    }

    private func processes(runningScript script: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            let words = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.first.map { $0.hasSuffix("/mtmc") } == true && words.contains(script)
        }
    }

    private func environment(of pid: pid_t) -> [String: String] {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
        var variables: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { variables[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        return variables
    }
}
