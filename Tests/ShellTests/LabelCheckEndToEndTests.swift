import Foundation
import XCTest

/// `check labels` through the binary on tasks too small for confident learning: each gives a result or says
/// why it gives none, and the session goes on.
final class LabelCheckEndToEndTests: XCTestCase {
    private var folder = ""

    override func setUp() { folder = MTMC.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// ROOT/TASK/SPLIT/CLASS/ holding `train` and `val` of the bundled sample images of colour `colour`.
    private func images(_ task: String, _ label: String, colour: String, train: Int, val: Int) throws {
        for (split, count) in [("train", train), ("val", val)] {
            let target = "\(folder)/tiny/\(task)/\(split)/\(label)"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            for i in 0..<count {
                try FileManager.default.copyItem(atPath: "\(MTMC.repository)/samples/prints/颜色/train/\(colour)/\(colour)-\(i).jpg",
                                                 toPath: "\(target)/\(i).jpg")
            }
        }
    }

    func testATaskOfOneClassOrOfSingleImagesSaysWhyAndTheOthersAreJudged() throws {
        try images("单", "红", colour: "红", train: 3, val: 1)        // one class
        try images("对", "红", colour: "红", train: 1, val: 1)        // two classes of one training image each
        try images("对", "蓝", colour: "蓝", train: 1, val: 1)
        try images("色", "红", colour: "红", train: 3, val: 1)        // a class of one image beside a larger one
        try images("色", "蓝", colour: "蓝", train: 1, val: 1)
        // Training first: the one-class task draws its three images at a base quota of one, raised to two.
        let (status, output) = try MTMC.run(["-c", "set size 16; load tiny; model tiny; train 1; set foldepochs 1; check labels; check labels 单; info"],
                                            in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(output.contains("batch norm"), output)
        XCTAssertTrue(output.contains("\nbest val top-1: 单 epoch 1"), "train 1 ran its epoch: \(output)")
        let lines = MTMC.masked(output).components(separatedBy: "\n")
        for expected in [
            "check labels: val judged by the current model; train by # quick tiny models of # epochs, each trained without the fold it judges; # s",
            "task 单: one class (红): no other label to suggest, nothing judged",
            "task 对, train: not judged: quick model # of # would learn from # of the # training images (it needs #); add training images or set folds lower",
            "check labels: nothing judged; # s",
        ] {
            XCTAssertTrue(lines.contains(expected), "no line '\(expected)' in:\n\(output)")
        }
        // Each judged split has its line and each judged task its suspects log: 对's val and both of 色's splits; 单 has none.
        for prefix in ["task 对, val: ", "task 色, val: ", "task 色, train: ", "suspects of 对 (every one): logs/labels_对_",
                       "suspects of 色 (every one): logs/labels_色_"] {
            XCTAssertEqual(lines.filter { $0.hasPrefix(prefix) }.count, 1, "\(prefix) in:\n\(output)")
        }
        XCTAssertFalse(lines.contains { $0.hasPrefix("task 单, ") || $0.hasPrefix("suspects of 单") }, output)
        XCTAssertTrue(output.contains("mtmc> info"), "the session went on after check labels: \(output)")
    }
}
