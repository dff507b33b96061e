import Engine
import Foundation
import XCTest
@testable import Bench

/// A side that answers from fixed figures and records, in a log shared by all sides, who ran what.
private final class ScriptedSide: BenchmarkSide {
    let name: String
    let log: Log
    let phases: Set<String>
    var windows = 0
    final class Log { var calls: [String] = [] }

    init(_ name: String, log: Log, phases: Set<String> = AlternatingBenchmark.allPhases) {
        self.name = name; self.log = log; self.phases = phases
    }

    func request(_ command: String) throws -> [Double] {
        log.calls.append("\(name) \(command)")
        windows += 1
        switch command {
        case "rss": return [name == "a" ? 300 : 600]
        case "latency": return [Double(windows), Double(windows) + 0.5]
        default: return [Double(windows)]
        }
    }

    func close() {}
}

final class AlternatingBenchmarkTests: XCTestCase {
    func testSidesTakeTurnsInReverseOrderEveryOtherWindowAndMemoryIsReadWhenTrainingEnds() throws {
        let log = ScriptedSide.Log()
        let figures = try AlternatingBenchmark.alternate([ScriptedSide("a", log: log), ScriptedSide("b", log: log)], windows: 2, settle: 0)
        XCTAssertEqual(log.calls, [
            "a train", "b train", "b train", "a train", "a rss", "b rss",
            "a eval", "b eval", "b eval", "a eval",
            "a latency", "b latency", "b latency", "a latency",
        ])
        XCTAssertEqual(figures[0].trainImagesPerSecond, [1, 2])
        XCTAssertEqual(figures[1].trainImagesPerSecond, [1, 2])
        XCTAssertEqual(figures[0].peakResidentMegabytes, 300)
        XCTAssertEqual(figures[1].peakResidentMegabytes, 600)
        XCTAssertEqual(figures[0].evalImagesPerSecond, [4, 5])
        XCTAssertEqual(figures[0].latencyWindows, [[6, 6.5], [7, 7.5]])
        XCTAssertEqual(figures[1].latencyMilliseconds, [6, 6.5, 7, 7.5])
    }

    func testASideRunsOnlyItsOwnPhasesAndIsAskedItsMemoryOnlyWhenItTrains() throws {
        let log = ScriptedSide.Log()
        let sides = [ScriptedSide("a", log: log), ScriptedSide("ort", log: log, phases: ["eval", "latency"]),
                     ScriptedSide("compiled", log: log, phases: ["train"])]
        let figures = try AlternatingBenchmark.alternate(sides, windows: 2, settle: 0)
        XCTAssertEqual(log.calls, [
            "a train", "compiled train", "compiled train", "a train", "a rss", "compiled rss",
            "a eval", "ort eval", "ort eval", "a eval",
            "a latency", "ort latency", "ort latency", "a latency",
        ])
        XCTAssertEqual(figures[1].trainImagesPerSecond, [])
        XCTAssertEqual(figures[1].evalImagesPerSecond, [1, 2])
        XCTAssertEqual(figures[2].trainImagesPerSecond, [1, 2])
        XCTAssertEqual(figures[2].evalImagesPerSecond, [])
    }

    func testDeploymentRowsCompareEvaluationWithONNXRuntimeAndTrainingWithTheFasterPyTorchOfEachWindow() {
        let s = EngineBenchmark.Settings(model: "tiny", size: 8, batch: 2)
        var ours = BenchmarkFigures(), eager = BenchmarkFigures(), compiled = BenchmarkFigures(), ort = BenchmarkFigures()
        ours.trainImagesPerSecond = [12, 12]
        eager.trainImagesPerSecond = [10, 4]
        compiled.trainImagesPerSecond = [6, 8]
        ours.evalImagesPerSecond = [30, 30]
        ort.evalImagesPerSecond = [20, 25]
        ours.latencyWindows = [[1, 1, 1], [2, 2, 2]]
        ort.latencyWindows = [[2, 2, 2], [2, 2, 2]]
        let result = AlternatingBenchmark.Result(mtmc: ours, peer: eager, layout: "NCHW", onnxRuntime: .success(ort), compiled: .success(compiled))
        let (rows, notes) = result.deploymentRows(s)
        XCTAssertEqual(rows.map(\.name), ["tiny 8×8 b2 eval img/s (peer: ONNX Runtime)", "tiny 8×8 batch-1 latency ms (peer: ONNX Runtime)",
                                          "tiny 8×8 b2 train img/s (peer: faster of eager, torch.compile)"])
        XCTAssertEqual(rows[0].pairRatios, [1.5, 1.2])
        XCTAssertEqual(rows[1].pairRatios, [0.5, 1])
        XCTAssertEqual(rows[2].peer, [10, 8])
        XCTAssertEqual(rows[2].pairRatios, [1.2, 1.5])
        XCTAssertEqual(notes, ["tiny 8×8 b2: torch.compile (inductor, channels_last) trains 7.0 img/s, eager PyTorch (NCHW) 7.0"])
        let failed = AlternatingBenchmark.Result(mtmc: ours, peer: eager, layout: "NCHW", onnxRuntime: .failure(EngineError("no onnx")),
                                                 compiled: .failure(EngineError("no compiler")))
        XCTAssertEqual(failed.deploymentRows(s).rows.count, 0)
        XCTAssertEqual(failed.deploymentRows(s).notes, ["tiny 8×8: no ONNX Runtime rows: no onnx", "tiny 8×8: no torch.compile row: no compiler"])
    }

    func testTheRatioIsTheMedianOfWindowPairsNotTheRatioOfMedians() {
        // Load fell on the third pair: each side's median hides it, the pairs do not.
        let row = FullBenchmark.Row(name: "r", mtmc: [2, 4, 100], peer: [1, 8, 50], higherIsBetter: true, target: "",
                                    pairRatios: AlternatingBenchmark.pairRatios([2, 4, 100], [1, 8, 50]))
        XCTAssertEqual(row.pairRatios, [2, 0.5, 2])
        XCTAssertEqual(FullBenchmark.table([row]).split(separator: "\n").last, "| r | 4.00 | 8.00 | 2.00 |  | 2.00–100 | 1.00–50.0 |")
    }

    func testLatencyRowPairsTheMediansOfItsWindows() {
        let s = EngineBenchmark.Settings(model: "tiny", size: 8, batch: 2)
        var ours = BenchmarkFigures(), peer = BenchmarkFigures()
        ours.latencyWindows = [[1, 2, 9], [4, 4, 4]]
        peer.latencyWindows = [[2, 2, 2], [1, 8, 8]]
        let result = AlternatingBenchmark.Result(mtmc: ours, peer: peer, layout: "NCHW")
        let latency = result.rows(s, targets: .init()).first { $0.name.contains("latency") }
        XCTAssertEqual(latency?.pairRatios, [1, 0.5])
        XCTAssertEqual(latency?.mtmc, [1, 2, 9, 4, 4, 4])
    }

    /// A peer that cannot run (no compiler for torch.compile, no export) says why, and the table prints that reason.
    func testAPeerThatCannotStartGivesItsReason() {
        XCTAssertThrowsError(try WindowProcess(name: "torch.compile", "/bin/sh", ["-c", "echo 'error: no C++ compiler'; exit 1"])) { error in
            XCTAssertEqual("\(error)", "torch.compile did not start (exit status 1: error: no C++ compiler)")
        }
    }

    /// `mtmc-bench engine --serve` speaks the protocol the driver expects (the build puts it beside the tests).
    func testTheEngineServesOneWindowPerCommand() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/mtmc-bench"
        let side = try WindowProcess(name: "mtmc", binary, ["engine", "--serve", "--model", "tiny", "--size", "16", "--batch", "2",
                                                           "--steps", "1", "--latency-runs", "3", "--threads", "1"])
        defer { side.close() }
        XCTAssertEqual(try side.request("train").count, 1)
        XCTAssertGreaterThan(try side.request("rss")[0], 1)
        XCTAssertGreaterThan(try side.request("eval")[0], 0)
        let latencies = try side.request("latency")
        XCTAssertEqual(latencies.count, 3)
        XCTAssertTrue(latencies.allSatisfy { $0 > 0 })
        XCTAssertThrowsError(try side.request("dance"))
    }
}
