@testable import Commands
import Foundation
import MTMC
import XCTest

/// `predict` on folders: bounded batches, and the TSV it writes.
final class PredictCommandTests: XCTestCase {
    /// A folder is predicted in bounded batches, each reported before the next is decoded.
    func testPredictingAFolderStreamsBoundedBatches() throws {
        let h = Harness.withTinyModel()
        let trainer = try XCTUnwrap(h.session.trainer)
        func predict(batchSize: Int) throws -> [PredictionReport] {
            var reports: [PredictionReport] = []
            try predictImages([h.root + "/data/颜色/train/红", h.root + "/data/印花/val/人物"], shown: ["红", "人物"], model: trainer.model,
                              tasks: h.session.modelTasks, settings: h.session.settings.training, normalization: trainer.normalization,
                              calibration: [], pixelLimit: 1_000_000, batchSize: batchSize) { reports.append($0) }
            return reports
        }
        let streamed = try predict(batchSize: 4)
        XCTAssertEqual(streamed.map(\.results.count), [4, 4, 1])
        let whole = try predict(batchSize: 100)
        XCTAssertEqual(whole.count, 1)
        XCTAssertEqual(streamed.flatMap(\.results).map(\.path), whole[0].results.map(\.path))
        XCTAssertEqual(streamed.flatMap(\.results).map { $0.tasks.map { $0.scores[0].name } }, whole[0].results.map { $0.tasks.map { $0.scores[0].name } })
    }


    /// `predict --tsv` writes one row per image and task, streamed.
    func testPredictWritesATSVRowPerImageAndTask() throws {
        let h = Harness.withTinyModel()
        let (result, text) = h.run("predict --tsv p.tsv data/颜色/val/红 data/missing.png")
        XCTAssertEqual(result, .success, text)
        XCTAssertTrue(text.hasSuffix("wrote 6 rows to p.tsv"), text)
        let data = try Data(contentsOf: URL(fileURLWithPath: h.root + "/p.tsv"))
        XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF], "a byte-order mark, so that Excel reads UTF-8")
        let rows = String(decoding: data.dropFirst(3), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(rows.count, 7)
        XCTAssertEqual(rows[0], "image\ttask\tclass\traw\tsoftmax\tconfidence\tall raw outputs")
        XCTAssertTrue(rows[1].hasPrefix("data/颜色/val/红/0.png\t印花\t"), String(rows[1]))
    }
}
