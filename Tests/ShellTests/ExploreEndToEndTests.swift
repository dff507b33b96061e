import Foundation
import XCTest

final class ExploreEndToEndTests: XCTestCase {
    /// The exploration commands that need no model, replayed by the binary on the bundled samples.
    func testExplorationScriptRunsOnTheSamplesAndWritesItsPictures() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/explore.mtmc"
        try """
            set size 16
            load \(MTMC.repository)/samples/prints
            show data 颜色
            check
            plot samples 颜色 红 4
            show augment \(MTMC.repository)/samples/predict/blue.jpg 2
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let (status, output) = try MTMC.run([script], in: folder)
        XCTAssertEqual(status, 0, output)
        let text = MTMC.masked(output)
        XCTAssertTrue(text.contains("""
            mtmc> show data 颜色
            task 颜色: # classes, # train, # val; imbalance # (every class # train)
              class  train  val  train + val
              紫        #   #  ████████████████████
              红        #   #  ████████████████████
              绿        #   #  ████████████████████
              蓝        #   #  ████████████████████
              黄        #   #  ████████████████████
              source sizes (min · median · max): width # · # · #, height # · # · #, aspect (w÷h) # · # · #
              skipped #, broken #
            mtmc> check
            check: # images in # tasks; hashing # s, comparing # s;
            """), text)
        XCTAssertTrue(text.contains("mtmc> plot samples 颜色 红 #\nwrote plots/samples_颜色_红.png\n"), text)
        for picture in ["samples_颜色_红.png", "augment_blue.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/plots/" + picture), picture)
        }
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: folder + "/logs").contains { $0.hasPrefix("check_") })
    }
}
