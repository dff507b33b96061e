@testable import Commands
import Foundation
import MTMC
import XCTest

final class EpochLineTests: XCTestCase {
    /// An interrupted epoch reports only what happened.
    func testAnInterruptedEpochLineShowsOnlyWhatHappened() throws {
        // Records as the trainer writes them (its initialiser is internal to MTMC).
        func record(_ json: String) throws -> EpochRecord { try JSONDecoder().decode(EpochRecord.self, from: Data(json.utf8)) }
        let stats = #"{"images":8,"lossSum":8,"correct":4,"seconds":2}"#, empty = #"{"images":0,"lossSum":0,"correct":0,"seconds":0}"#
        let none = try record(#"{"epoch":1,"tasks":[\#(empty),\#(empty)],"partial":true,"steps":0,"plannedSteps":20,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(none, names: ["印花", "颜色"]), "epoch 2 stopped before its first step (0 of 20 steps)")
        let some = try record(#"{"epoch":1,"tasks":[\#(stats),\#(empty)],"partial":true,"steps":2,"plannedSteps":20,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(some, names: ["印花", "颜色"]),
                       "epoch 2 (partial: 2 of 20 steps)  印花 loss 1.000 top-1 50.0%  4 img/s  lr 0.01")
        let full = try record(#"{"epoch":0,"tasks":[\#(stats),\#(stats)],"partial":false,"steps":4,"plannedSteps":4,"learningRate":0.01}"#)
        XCTAssertEqual(epochLine(full, names: ["印花", "颜色"]),
                       "epoch 1  印花 loss 1.000 top-1 50.0%  颜色 loss 1.000 top-1 50.0%  4 img/s  lr 0.01")
    }
}
