@testable import Commands
import Engine
import Foundation
import MTMC
import Vision
import XCTest

/// A 16×16 PNG of one colour with seeded noise of ±`noise` on every byte.
private func colourPNG(_ rgb: (Int, Int, Int), seed: UInt64, noise: Int) -> Data {
    var rng = RandomGenerator(seed: seed)
    let pixels = (0..<(16 * 16)).flatMap { _ -> [UInt8] in
        [rgb.0, rgb.1, rgb.2].map { UInt8(clamping: $0 + Int(rng.next() % UInt64(2 * noise + 1)) - noise) }
    }
    return try! PNG.encode(RGBImage(width: 16, height: 16, pixels: pixels))
}

final class SuggestAndLabelTests: XCTestCase {
    /// A red-or-blue task (colours/train/{红,蓝}, 8 each; val 2 each) and, outside it, a pool: five near copies of one
    /// purple image (the model cannot tell it), and eight clearly red or blue images of other shades; `model tiny`
    /// trained `trainedEpochs` epochs.
    func colourHarness(trainedEpochs: Int = 3) -> Harness {
        let h = Harness()
        func put(_ relative: String, _ data: Data) {
            let path = h.root + "/" + relative
            try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! data.write(to: URL(fileURLWithPath: path))
        }
        for i in 0..<10 {
            let split = i < 8 ? "train" : "val"
            put("colours/\(split)/红/r\(i).png", colourPNG((200, 30, 30), seed: UInt64(i), noise: 25))
            put("colours/\(split)/蓝/b\(i).png", colourPNG((30, 30, 200), seed: UInt64(100 + i), noise: 25))
        }
        for copy in 0..<5 { put("pool/purple\(copy).png", nearCopyPNG(seed: UInt64(copy))) }
        for i in 0..<4 {
            put("pool/red\(i).png", colourPNG((230 - 10 * i, 10 * i, 20), seed: UInt64(300 + i), noise: 10))
            put("pool/blue\(i).png", colourPNG((20, 10 * i, 230 - 10 * i), seed: UInt64(400 + i), noise: 10))
        }
        XCTAssertEqual(h.run("load colours").0, .success)
        h.run("model tiny")
        if trainedEpochs > 0 { XCTAssertEqual(h.run("train \(trainedEpochs)").0, .success) }
        return h
    }

    func testSuggestReturnsNearCopiesOfAnUncertainImageAtMostOnce() throws {
        let h = colourHarness()
        let copies = { (paths: [String]) in paths.filter { $0.contains("purple") }.count }
        // Ranked by uncertainty alone, the copies fill the top: the diversity step is what keeps them apart.
        let (files, _) = imageFiles([h.root + "/pool"], shown: ["pool"])
        let alone = try SuggestionRanking(count: 4, candidatesPerPick: 1).suggest(
            files, model: h.session.trainer!.model, task: 0, classes: h.session.modelTasks[0], calibration: nil,
            settings: h.session.settings.training, normalization: h.session.trainer!.normalization, pixelLimit: 1 << 20)
        XCTAssertGreaterThanOrEqual(copies(alone.suggestions.map(\.path)), 2, "the planted copies are not the most uncertain: \(alone.suggestions)")

        let (result, text) = h.run("suggest pool 4")
        XCTAssertEqual(result, .success, text)
        XCTAssertEqual(h.session.suggestions.count, 4, text)
        XCTAssertEqual(copies(h.session.suggestions.map(\.shown)), 1, text)
        let lines = text.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("task colours: 4 of 13 images to label next (least sure by margin of softmax"), text)
        XCTAssertEqual(lines[1], "  rank  image             predicted  softmax  margin")
        XCTAssertTrue(lines[2].hasPrefix("     1  pool/purple"), "the most uncertain first: \(text)")
        XCTAssertTrue(lines.contains("  wrote plots/suggest_pool_colours.png"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/plots/suggest_pool_colours.png"))
        XCTAssertEqual(completions(before: ["label"], word: "", in: h.session), h.session.suggestions.map(\.shown))
        XCTAssertEqual(completions(before: ["label", "pool/red0.png"], word: "", in: h.session), ["红", "蓝"])

        XCTAssertTrue(h.run("suggest pool 4 --by entropy").1.contains("least sure by entropy of softmax"))
        XCTAssertEqual(h.run("suggest pool 4 --by luck").1, "error: suggest: --by takes margin or entropy, got 'luck'")
        XCTAssertEqual(h.run("suggest colours/train").1, "error: suggest: colours/train is inside the dataset tree colours; suggest ranks images not yet in it")
        XCTAssertEqual(h.run("suggest nowhere").1, "error: suggest: nowhere: no such folder")
        XCTAssertEqual(h.session.suggestions.count, 4, "a refused suggest keeps the suggestions")
    }

    func testLabelCopiesIntoTheTrainSplitAddsToTheDatasetAndLogs() throws {
        let h = colourHarness(trainedEpochs: 0)
        let before = h.session.dataset!.tasks[0].train.count
        let (result, text) = h.run("label pool/red1.png 红")
        XCTAssertEqual(result, .success, text)
        XCTAssertEqual(text, "labelled pool/red1.png as 红 of colours: copied to train/红/red1.png (colours now has 17 train images, 红 9)")
        let filed = h.root + "/colours/train/红/red1.png"
        XCTAssertEqual(FileManager.default.contents(atPath: filed), FileManager.default.contents(atPath: h.root + "/pool/red1.png"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/pool/red1.png"), "a copy, not a move")
        let dataset = h.session.dataset!
        XCTAssertEqual(dataset.tasks[0].train.count, before + 1)
        XCTAssertEqual(dataset.tasks[0].train.last, Sample(image: dataset.files.count - 1, label: 0))
        XCTAssertEqual(dataset.files.last, filed)
        XCTAssertEqual(dataset.cache.image(dataset.files.count - 1), try dataset.cachedForm(of: filed, pixelLimit: 1 << 20).image)
        XCTAssertEqual(dataset.cache.image(0), try dataset.cachedForm(of: dataset.files[0], pixelLimit: 1 << 20).image, "older images are kept")

        // The same name again (from another folder) gets a suffix; the pool's image is still filed once.
        try FileManager.default.createDirectory(atPath: h.root + "/more", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: h.root + "/pool/blue1.png", toPath: h.root + "/more/red1.png")
        XCTAssertEqual(h.run("label more/red1.png 蓝").1,
                       "labelled more/red1.png as 蓝 of colours: copied to train/蓝/red1.png (colours now has 18 train images, 蓝 9)")
        XCTAssertEqual(h.run("label more/red1.png 红").1,
                       "labelled more/red1.png as 红 of colours: copied to train/红/red1-2.png (colours now has 19 train images, 红 10)")
        let log = try CurationLog.entries(folder: h.root + "/logs")
        XCTAssertEqual(log.map(\.action), ["label", "label", "label"])
        XCTAssertEqual(log.map(\.file), ["red1.png", "red1.png", "red1-2.png"])
        XCTAssertEqual(log[0].from, h.root + "/pool/red1.png")
        XCTAssertEqual(log[2].to, "colours/train/红/red1-2.png")

        // Refusals name what is wrong and change nothing.
        let refusals = [
            ("label pool/red2.png ..", "error: label: task colours has no class '..'; classes: 红, 蓝"),
            ("label pool/red2.png 绿", "error: label: task colours has no class '绿'; classes: 红, 蓝"),
            ("label colours/train/蓝/b0.png 红", "error: label: colours/train/蓝/b0.png is already in the dataset tree; label files images from outside it"),
            ("label pool/gone.png 红", "error: label: pool/gone.png: cannot read: No such file or directory"),
            ("label pool/red2.png 红 形状", "error: label: no task '形状'; tasks: colours"),
        ]
        for (line, message) in refusals { XCTAssertEqual(h.run(line).1, message) }
        XCTAssertEqual(h.session.dataset!.tasks[0].train.count, before + 3)
        XCTAssertEqual(try CurationLog.entries(folder: h.root + "/logs").count, 3)

        // The pool keeps its copy of a labelled image; suggest leaves it out, as the curation log says.
        let again = h.run("suggest pool 13").1
        XCTAssertTrue(again.hasPrefix("1 image of pool labelled already (logs/curation.jsonl) left out\ntask colours: "), again)
        XCTAssertFalse(h.session.suggestions.contains { $0.shown == "pool/red1.png" })

        // A damaged log is named, line and all, rather than read as if nothing had been labelled.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: h.root + "/logs/curation.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"action\": \"label\"\n".utf8))
        try handle.close()
        XCTAssertEqual(h.run("suggest pool 4").1, "error: suggest: \(h.root)/logs/curation.jsonl line 4: not a curation entry (time, action, file, from, to)")

        // Training uses the added images, and a fresh load finds the same tree.
        XCTAssertEqual(h.run("train 1").0, .success)
        XCTAssertEqual(h.run("load colours").0, .success)
        XCTAssertEqual(h.session.dataset!.tasks[0].train.count, before + 3)
    }
}

/// A 16×16 purple PNG, one byte in every 37 moved by ±1 as `seed` says: near copies of one image for different seeds.
private func nearCopyPNG(seed: UInt64) -> Data {
    var pixels = (0..<(16 * 16)).flatMap { _ -> [UInt8] in [120, 30, 120] }
    var rng = RandomGenerator(seed: seed)
    for i in stride(from: Int(rng.next() % 37), to: pixels.count, by: 37) { pixels[i] = rng.next() % 2 == 0 ? pixels[i] + 1 : pixels[i] - 1 }
    return try! PNG.encode(RGBImage(width: 16, height: 16, pixels: pixels))
}
