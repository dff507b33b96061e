import Foundation
import XCTest
@testable import Bench

/// A side that answers from fixed figures and records, in a log shared by all sides, who ran what.
private final class ScriptedSide: BenchmarkSide {
    let name: String
    let log: Log
    var windows = 0
    final class Log { var calls: [String] = [] }

    init(_ name: String, log: Log) { self.name = name; self.log = log }

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
