import Foundation
import XCTest
@testable import Bench

final class TrainCommandBenchmarkTests: XCTestCase {
    func testEachEpochIsDividedByTheMeanOfTheWindowsOnEitherSide() {
        XCTAssertEqual(TrainCommandBenchmark.ratiosAround([90, 300], [100, 80, 220]), [1.0, 2.0])
    }

    func testTheRateIsReadFromTheEpochLineOnceTheCommandPrintsItsLogLine() throws {
        // A stand-in shell: answers `train 1` with what mtmc prints (plan, epoch line, best, log).
        let script = #"read command; echo "plan: lr 0.05"; echo "epoch 2  t0 loss 0.5 top-1 75.1%  t1 loss 0.3 top-1 87.4%  381 img/s  lr 0"; echo "best val top-1: t0 epoch 2 (70.0%)"; echo "log: logs/train_history.csv"; read rest"#
        let shell = try WindowProcess(name: "sh", "/bin/sh", ["-c", script], waitForReady: false)
        defer { shell.close() }
        XCTAssertEqual(try TrainCommandBenchmark.epoch(shell), 381)
    }

    func testAShellThatEndsWithoutAnEpochLineIsAnErrorNamingItsLastLines() throws {
        let shell = try WindowProcess(name: "sh", "/bin/sh", ["-c", "read command; echo 'error: train: no dataset; load PATH first'"],
                                      waitForReady: false)
        defer { shell.close() }
        XCTAssertThrowsError(try TrainCommandBenchmark.epoch(shell)) { error in
            XCTAssertEqual("\(error)", "mtmc ended during train 1; its last lines: error: train: no dataset; load PATH first")
        }
    }

    func testAnEpochLineWithoutASpeedGivesNoRate() {
        XCTAssertNil(TrainCommandBenchmark.imagesPerSecond(inEpochLine: "epoch 1 stopped before its first step (0 of 38 steps)"))
        XCTAssertEqual(TrainCommandBenchmark.imagesPerSecond(inEpochLine: "epoch 1  t loss 1.000 top-1 50.0%  95 img/s  lr 0.05"), 95)
    }
}
