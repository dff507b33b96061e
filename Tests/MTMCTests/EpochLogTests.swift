import Foundation
import MTMC
import XCTest

final class EpochLogTests: XCTestCase {
    private func record(_ epoch: Int, validated: Bool, partial: Bool = false) -> EpochRecord {
        var a = TaskEpochStatistics(), b = TaskEpochStatistics()
        a.images = 4; a.lossSum = 2; a.correct = 3
        b.images = 2; b.lossSum = 0.5; b.correct = 2
        return EpochRecord(epoch: epoch, tasks: [a, b], partial: partial, steps: 3, plannedSteps: 3,
                           validation: validated ? [TaskValidation(images: 8, loss: 0.25, top1: 0.875), TaskValidation(images: 0, loss: 0, top1: 0)] : nil,
                           learningRate: 0.05, seconds: 1.5)
    }

    func testRowsHoldEveryFieldAndQuoteTaskNamesAsCSVDoes() {
        XCTAssertEqual(EpochCSVLog.rows(record(2, validated: true), taskNames: ["印花", "a,\"b\""]), [
            "3,印花,0.05,0.500000,0.750000,0.250000,0.875000,1.500",
            "3,\"a,\"\"b\"\"\",0.05,0.250000,1.000000,,,1.500",
        ], "a task with no val images has empty val fields")
        XCTAssertEqual(EpochCSVLog.rows(record(0, validated: false), taskNames: ["x", "y"]).first, "1,x,0.05,0.500000,0.750000,,,1.500")
        XCTAssertEqual(EpochCSVLog.rows(record(0, validated: false, partial: true), taskNames: ["x", "y"]), [], "a cancelled epoch is not logged")
    }

    func testAppendingWritesTheHeaderOnceAndKeepsEarlierRows() throws {
        let folder = NSTemporaryDirectory() + "mtmc-csv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = EpochCSVLog(path: folder + "/logs/train_history.csv")
        try log.append(record(0, validated: true), taskNames: ["x", "y"])
        try log.append(record(1, validated: false, partial: true), taskNames: ["x", "y"])
        try log.append(record(1, validated: false), taskNames: ["x", "y"])
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(lines, [EpochCSVLog.header, "1,x,0.05,0.500000,0.750000,0.250000,0.875000,1.500", "1,y,0.05,0.250000,1.000000,,,1.500",
                               "2,x,0.05,0.500000,0.750000,,,1.500", "2,y,0.05,0.250000,1.000000,,,1.500", ""])
        XCTAssertThrowsError(try EpochCSVLog(path: log.path + "/inside-a-file.csv").append(record(0, validated: true), taskNames: ["x", "y"])) {
            XCTAssertTrue("\($0)".hasPrefix("cannot append to \(log.path)/inside-a-file.csv: "), "\($0)")
        }
    }

    func testALogReplacedWhileTrainingIsNotWrittenThrough() throws {
        let folder = NSTemporaryDirectory() + "mtmc-csv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = EpochCSVLog(path: folder + "/logs/train_history.csv")
        try log.append(record(0, validated: true), taskNames: ["x", "y"])
        let victim = folder + "/victim.txt"
        try "keep me\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: log.path)
        try FileManager.default.createSymbolicLink(atPath: log.path, withDestinationPath: victim)
        XCTAssertThrowsError(try log.append(record(1, validated: true), taskNames: ["x", "y"])) {
            XCTAssertEqual("\($0)", "cannot append to \(log.path): it was replaced by a symbolic link")
        }
        try FileManager.default.removeItem(atPath: log.path)
        try FileManager.default.linkItem(atPath: victim, toPath: log.path)
        XCTAssertThrowsError(try log.append(record(2, validated: true), taskNames: ["x", "y"])) {
            XCTAssertEqual("\($0)", "cannot append to \(log.path): it was replaced by another file")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "keep me\n")
        // A new log (the next `train`) does not follow a link either.
        try FileManager.default.removeItem(atPath: log.path)
        try FileManager.default.createSymbolicLink(atPath: log.path, withDestinationPath: victim)
        XCTAssertThrowsError(try EpochCSVLog(path: log.path).append(record(3, validated: true), taskNames: ["x", "y"])) {
            XCTAssertEqual("\($0)", "cannot append to \(log.path): it is a symbolic link, which is not followed")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "keep me\n")
    }

    func testTrainingAppendsEachEpochAsItEndsSoACancelledRunKeepsItsFinishedEpochs() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let folder = NSTemporaryDirectory() + "mtmc-csv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = EpochCSVLog(path: folder + "/train.csv")
        let trainer = TrainingTests.trainer { $0.validateEvery = 0 }
        var polls = 0
        let (records, stop) = try trainer.train(epochs: 3, on: dataset, isCancelled: { polls += 1; return polls > 8 },
                                                epochEnded: { try? log.append($0, taskNames: ["shade", "tone"]) })
        XCTAssertEqual(stop, .cancelled)
        XCTAssertEqual(records.count, 2)
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(lines.map { $0.split(separator: ",").prefix(2).joined(separator: ",") }, ["epoch,task", "1,shade", "1,tone", ""])
    }
}
