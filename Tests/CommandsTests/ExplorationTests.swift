@testable import Commands
import Engine
import Foundation
import MTMC
import Vision
import XCTest

/// A PNG of seeded random pixels (0–250, so that a brightened copy does not clip), `lift` added to every byte.
func noisePNG(seed: UInt64, width: Int = 24, height: Int = 24, lift: UInt8 = 0) -> Data {
    var rng = RandomGenerator(seed: seed)
    let pixels = (0..<(width * height * 3)).map { _ in UInt8(rng.next() % 251) &+ lift }
    return try! PNG.encode(RGBImage(width: width, height: height, pixels: pixels))
}

/// A tree with planted problems, in ROOT/audit of the harness:
/// 形状/train/圆: a, b (= a: duplicate within a class), c, d (8×8: smaller than the input), j
/// 形状/train/方: e, f (= c: a label conflict), g (solid grey: near-uniform), h (72×20: extreme aspect), broken.png, notes.txt
/// 形状/val/圆: k (j brightened by 2: a near-duplicate leak);  形状/val/方: m (= e: an exact leak), n
/// 颜色: 红 and 蓝 with two train images each and empty val folders.
func plantedTree(in root: String) {
    func put(_ relative: String, _ data: Data) {
        let path = root + "/audit/" + relative
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! data.write(to: URL(fileURLWithPath: path))
    }
    put("形状/train/圆/a.png", noisePNG(seed: 1))
    put("形状/train/圆/b.png", noisePNG(seed: 1))
    put("形状/train/圆/c.png", noisePNG(seed: 3))
    put("形状/train/圆/d.png", noisePNG(seed: 4, width: 8, height: 8))
    put("形状/train/圆/j.png", noisePNG(seed: 9))
    put("形状/train/方/e.png", noisePNG(seed: 5))
    put("形状/train/方/f.png", noisePNG(seed: 3))
    put("形状/train/方/g.png", try! PNG.encode(RGBImage(width: 24, height: 24, pixels: [UInt8](repeating: 128, count: 24 * 24 * 3))))
    put("形状/train/方/h.png", noisePNG(seed: 8, width: 72, height: 20))
    put("形状/train/方/broken.png", Data("not a png".utf8))
    put("形状/train/方/notes.txt", Data("notes".utf8))
    put("形状/val/圆/k.png", noisePNG(seed: 9, lift: 2))
    put("形状/val/方/m.png", noisePNG(seed: 5))
    put("形状/val/方/n.png", noisePNG(seed: 10))
    for (label, seeds) in [("红", [20, 21]), ("蓝", [22, 23])] {
        for seed in seeds { put("颜色/train/\(label)/\(seed).png", noisePNG(seed: UInt64(seed))) }
        try! FileManager.default.createDirectory(atPath: root + "/audit/颜色/val/" + label, withIntermediateDirectories: true)
    }
}

final class ExplorationTests: XCTestCase {
    func loadedHarness() -> Harness {
        let h = Harness()
        plantedTree(in: h.root)
        XCTAssertEqual(h.run("load audit").0, .success)
        return h
    }

    func testShowDataGivesCountsBarsImbalanceSizesAndWhatWasLeftOut() {
        let h = loadedHarness()
        XCTAssertEqual(h.run("show data").1, """
        task 形状: 2 classes, 9 train, 3 val; imbalance 1.2 (train: 圆 5 ÷ 方 4)
          class  train  val  train + val
          圆         5    1  ████████████████████
          方         4    2  ████████████████████
          source sizes (min · median · max): width 8 · 24 · 72, height 8 · 24 · 24, aspect (w÷h) 1.00 · 1.00 · 3.60
          skipped 1, broken 1 (show broken lists them)
        task 颜色: 2 classes, 4 train, 0 val; imbalance 1.0 (every class 2 train)
          class  train  val  train + val
          红         2    0  ████████████████████
          蓝         2    0  ████████████████████
          source sizes (min · median · max): width 24 · 24 · 24, height 24 · 24 · 24, aspect (w÷h) 1.00 · 1.00 · 1.00
          skipped 0, broken 0
          no val images: val top-1, calibration and leak checks need some
        """)
        XCTAssertEqual(h.run("show data 颜").1, "error: show data: no task '颜'; tasks: 形状, 颜色")
        XCTAssertEqual(h.run("show data 颜色").0, .success, "the session goes on after an error")
    }

    func testShowBrokenNamesEachFileAndWhy() {
        let h = loadedHarness()
        XCTAssertEqual(h.run("show broken").1, """
        broken images (1): could not be decoded, left out
          形状/train/方/broken.png: not a JPEG or PNG file (starts with 6E 6F 74 20)
        skipped entries (1): not read as images
          形状/train/方/notes.txt: not an image (.txt; .jpg, .jpeg and .png are read)
        """)
    }

    func testShowClassGivesCountsSizesAndFirstFilesAndSaysWhenASplitHasNone() {
        let h = loadedHarness()
        XCTAssertEqual(h.run("show class 方").1, """
        class 方 (task 形状):
          train: 4 images, 1 skipped, 1 broken
            source sizes (min · median · max): width 24 · 24 · 72, height 20 · 24 · 24, aspect (w÷h) 1.00 · 1.00 · 3.60
            most frequent sizes: 24×24 (3), 72×20 (1)
            first files: e.png, f.png, g.png, h.png
          val: 2 images, 0 skipped, 0 broken
            source sizes (min · median · max): width 24 · 24 · 24, height 24 · 24 · 24, aspect (w÷h) 1.00 · 1.00 · 1.00
            most frequent sizes: 24×24 (2)
            first files: m.png, n.png
        """)
        XCTAssertTrue(h.run("show class 红").1.hasSuffix("  val: 0 images, 0 skipped, 0 broken\n    no images in 颜色/val/红"))
        XCTAssertEqual(h.run("show class 三角").1, "error: show class: no class '三角'; classes: 形状: 圆 方; 颜色: 红 蓝")
        XCTAssertEqual(h.run("show class 红 形状").1, "error: show class: class '红' belongs to task 颜色, not to 形状")
    }

    /// The report without its timings.
    func checkReport(_ h: Harness) -> String {
        let (result, text) = h.run("check")
        XCTAssertEqual(result, .success, text)
        return text.replacingOccurrences(of: #"hashing [0-9.]+ s, comparing [0-9.]+ s"#, with: "hashing … s, comparing … s", options: .regularExpression)
            .replacingOccurrences(of: #"check_[0-9_-]+\.txt"#, with: "check_DATE.txt", options: .regularExpression)
    }

    func testCheckReportsEveryPlantedProblemByKind() {
        let h = loadedHarness()
        let report = checkReport(h)
        XCTAssertEqual(report, """
        check: 16 images in 2 tasks; hashing … s, comparing … s; near duplicates: difference hashes at most 4 of 64 bits apart (set hamming) and mean colours at most 24 of 255 apart, confirmed by pixels (16×16 thumbnails at most 8 of 255 apart on average)
        task 形状:
          exact duplicates: 1 label conflict, 1 leak, 1 within a class (groups); 1 of 3 val images (33.3 %) have a copy in train
            label conflict: train/圆/c.png = train/方/f.png
            leak: train/方/e.png = val/方/m.png
            within class: train/圆/a.png = train/圆/b.png
          near duplicates: 1 leak (groups); 1 of 3 val images (33.3 %) have a copy in train
            leak: train/圆/j.png ≈ val/圆/k.png (distance ≤ 0)
          near-uniform (brightness spread under 2.0 of 255): 1
            train/方/g.png (brightness 128)
          smaller than the input 16×16: 1
            train/圆/d.png 8×8
          extreme aspect ratio (long side at least 3.0 × the short): 1
            train/方/h.png 72×20
        task 颜色:
          exact duplicates: none
          near duplicates: none
          near-uniform (brightness spread under 2.0 of 255): 0
          smaller than the input 16×16: 0
          extreme aspect ratio (long side at least 3.0 × the short): 0
          no val images: nothing to leak into; train duplicates and conflicts still apply
        unreadable (left out at load, not audited): 1
          形状/train/方/broken.png: not a JPEG or PNG file (starts with 6E 6F 74 20)
        check log (every entry): logs/check_DATE.txt
        """)
        // The log holds the same report (here nothing was cut short).
        let logs = try! FileManager.default.contentsOfDirectory(atPath: h.root + "/logs").filter { $0.hasPrefix("check_") }
        XCTAssertEqual(logs.count, 1)
        let log = try! String(contentsOfFile: h.root + "/logs/" + logs[0], encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "\n").dropFirst().joined(separator: "\n"),
                       report.components(separatedBy: "\n").dropFirst().dropLast().joined(separator: "\n") + "\n")
    }

    func testCheckStopsOnCtrlCAndTheSessionGoesOn() {
        let h = loadedHarness()
        XCTAssertEqual(h.run("set threads 1").0, .success)
        h.session.isCancelled = { true }
        XCTAssertEqual(h.run("check").1, "error: check cancelled (stopped after 16 of 16 images); nothing reported")
        h.session.isCancelled = { false }
        XCTAssertTrue(checkReport(h).contains("leak: train/方/e.png = val/方/m.png"))
    }

    func testCheckNeedsADatasetAndTheThresholdIsASetting() {
        let h = Harness()
        XCTAssertEqual(h.run("check").1, "error: check: no dataset loaded; use: load PATH")
        XCTAssertEqual(h.run("set hamming 33").1, "error: set hamming: '33' is not allowed; allowed: whole number 0 to 32; it stays 4")
        XCTAssertEqual(h.run("set hamming 0").1, "hamming = 0")
        plantedTree(in: h.root)
        h.run("load audit")
        XCTAssertTrue(checkReport(h).contains("difference hashes at most 0 of 64 bits apart"))
    }

    func testLoadOfATaskWithoutTrainNamesItAndKeepsTheDatasetLoadedBefore() {
        let h = loadedHarness()
        try! FileManager.default.createDirectory(atPath: h.root + "/notrain/形状/val/圆", withIntermediateDirectories: true)
        try! noisePNG(seed: 1).write(to: URL(fileURLWithPath: h.root + "/notrain/形状/val/圆/a.png"))
        XCTAssertEqual(h.run("load notrain").1, "error: task 形状: missing folder \(h.root)/notrain/形状/train; the dataset loaded before is kept")
        XCTAssertTrue(h.run("show data").1.hasPrefix("task 形状: 2 classes, 9 train, 3 val"))
    }

    func testPlotSamplesShowsEachClassOrOneClassSpreadOverItsImages() throws {
        let h = loadedHarness()
        let (sheet, name) = try samplesSheet(h.session, ["samples", "形状", "方", "2"])
        XCTAssertEqual(name, "samples_形状_方.png")
        XCTAssertEqual(sheet.title, "形状: samples, class 方 (2 images)")
        // 方 has e, f, g, h in train and m, n in val: two spread evenly are the first and the fourth.
        XCTAssertEqual(sheet.items.map(\.caption), [["方", "train · e.png"], ["方", "train · h.png"]])
        let e = h.session.dataset!.files.firstIndex { $0.hasSuffix("方/e.png") }!
        XCTAssertEqual(sheet.items[0].image, h.session.dataset!.cache.image(e))
        XCTAssertEqual(try samplesSheet(h.session, ["samples", "形状"]).sheet.items.map { $0.caption[1] },
                       ["train · a.png", "train · b.png", "train · c.png", "train · d.png", "train · j.png",
                        "train · e.png", "train · f.png", "train · g.png", "train · h.png", "val · m.png"])

        XCTAssertEqual(h.run("plot samples 形状").1, "wrote plots/samples_形状.png")
        let png = try ImageDecoder().decode(file: h.root + "/plots/samples_形状.png")
        // Five columns of 162-pixel cells and two rows (圆, 方) of 150 under a 40-pixel title.
        XCTAssertEqual([png.width, png.height], [822, 340])
        let a = resized(h.session.dataset!.cache.image(0), width: 96, height: 96)
        XCTAssertTrue(png[12 + 40, 40 + 40] == a[40, 40], "the first thumbnail is the first image of 圆")
        XCTAssertEqual(h.run("plot samples 形状 三角").1, "error: plot samples: no class '三角'; classes: 形状: 圆 方")
        XCTAssertEqual(h.run("plot samples 形状 0").1, "error: plot samples: N must be a whole number from 1 to 200, got '0'")
    }

    func testShowAugmentDrawsTrainingViewsUnderTheCurrentSettings() throws {
        let h = loadedHarness()
        h.run("set augment full")
        XCTAssertEqual(h.run("show augment audit/形状/train/圆/j.png 3").1,
                       "3 training views of audit/形状/train/圆/j.png (from the dataset cache), augment full, crop affine, hflip off; wrote plots/augment_j.png")
        let png = try ImageDecoder().decode(file: h.root + "/plots/augment_j.png")
        XCTAssertEqual([png.width, png.height], [4 * 162 + 12, 40 + 128 + 8 + 17 + 12])
        // The views are the trainer's: the same generator gives the same pixels; without augmentation every view is one.
        let j = h.session.dataset!.cache.image(h.session.dataset!.files.firstIndex { $0.hasSuffix("圆/j.png") }!)
        let settings = h.session.settings.training
        let views = augmentedViews(j, count: 2, input: (16, 16), settings: settings.augmentation(runEpochs: 20), seed: 7)
        XCTAssertEqual(views, augmentedViews(j, count: 2, input: (16, 16), settings: settings.augmentation(runEpochs: 20), seed: 7))
        XCTAssertNotEqual(views[0], views[1])
        let plain = augmentedViews(j, count: 2, input: (16, 16), settings: .none, seed: 7)
        XCTAssertEqual(plain[0], plain[1])

        XCTAssertEqual(h.run("show augment audit/形状/train/方/broken.png").1,
                       "error: show augment: audit/形状/train/方/broken.png: not a JPEG or PNG file (starts with 6E 6F 74 20)")
        XCTAssertEqual(h.run("show augment gone.png").1, "error: show augment: gone.png: cannot read: No such file or directory")
        XCTAssertEqual(h.run("show data 形状").0, .success)
    }

    /// Red and blue images in classes 红 and 蓝, with one blue image filed under 红 and one red under 蓝, in train and in
    /// val. Noise in both classes lowers both thresholds (each class's mean self-confidence), as real noise does, so the
    /// planted images clear them by a wide margin rather than by the luck of being above their class's average.
    func mislabelledHarness() -> Harness {
        let h = Harness()
        func colour(_ seed: UInt64, red: Bool) -> Data {
            var rng = RandomGenerator(seed: seed)
            let pixels = (0..<(24 * 24)).flatMap { _ -> [UInt8] in
                let noise = UInt8(rng.next() % 60)
                return red ? [190 + noise, noise, noise] : [noise, noise, 190 + noise]
            }
            return try! PNG.encode(RGBImage(width: 24, height: 24, pixels: pixels))
        }
        func put(_ relative: String, _ data: Data) {
            let path = h.root + "/labels/" + relative
            try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! data.write(to: URL(fileURLWithPath: path))
        }
        for i in 0..<12 {
            put("颜色/train/红/r\(i).png", colour(UInt64(i), red: true))
            put("颜色/train/蓝/b\(i).png", colour(UInt64(100 + i), red: false))
        }
        for i in 0..<6 {
            put("颜色/val/红/r\(i).png", colour(UInt64(200 + i), red: true))
            put("颜色/val/蓝/b\(i).png", colour(UInt64(300 + i), red: false))
        }
        put("颜色/train/红/blue.png", colour(400, red: false))
        put("颜色/train/蓝/red.png", colour(401, red: true))
        put("颜色/val/红/blue.png", colour(402, red: false))
        put("颜色/val/蓝/red.png", colour(403, red: true))
        XCTAssertEqual(h.run("load labels").0, .success)
        return h
    }

    func testCheckLabelsFindsThePlantedMislabelledImagesInBothSplits() throws {
        let h = mislabelledHarness()
        XCTAssertEqual(h.run("check labels").1, "error: check labels: no model; use: model tiny|resnet18|darknet, or open CHECKPOINT")
        h.run("model tiny")
        h.run("set keep best")
        h.run("set batch 8")
        h.run("set lr 0.02")
        let (result, trained) = h.run("train 8")
        XCTAssertEqual(result, .success, trained)
        XCTAssertEqual(h.run("set folds 2").1, "folds = 2")
        XCTAssertEqual(h.run("set foldepochs 8").1, "foldepochs = 8")
        let before = h.session.trainer!.model.checkpointTensors().map(\.tensor.scalars)
        XCTAssertEqual(h.run("plot suspects 颜色").1, "error: plot suspects: no check labels of task '颜色' yet; run check labels 颜色")
        let (ok, text) = h.run("check labels 颜色")
        XCTAssertEqual(ok, .success, text)
        // Probabilities and time vary with the machine's arithmetic; which images are suspects does not.
        let masked = text.replacingOccurrences(of: #"[0-9]+\.[0-9]+"#, with: "…", options: .regularExpression)
            .replacingOccurrences(of: #"labels_颜色_[0-9_-]+\.tsv"#, with: "labels_颜色_DATE.tsv", options: .regularExpression)
        // Rows of equal standing may swap with the arithmetic's last bits, so each table's rows are compared as a set.
        let lines = masked.components(separatedBy: "\n")
        XCTAssertEqual(lines.count, 10, masked)
        XCTAssertEqual(lines[0], "check labels: val judged by the current model; train by 2 quick tiny models of 8 epochs, each trained without the fold it judges; … s")
        XCTAssertEqual(lines[1], "task 颜色, val: 2 suspects of 14 images (class thresholds, the mean self-confidence: 红 …, 蓝 …)")
        XCTAssertEqual(lines[2], "  image            given  suggested  p(given)  p(suggested)  margin")
        XCTAssertEqual(Set(lines[3...4]), ["  val/蓝/red.png   蓝     红            …         …   …", "  val/红/blue.png  红     蓝            …         …   …"])
        XCTAssertEqual(lines[5], "task 颜色, train: 2 suspects of 26 images (class thresholds, the mean self-confidence: 红 …, 蓝 …)")
        XCTAssertEqual(lines[6], "  image              given  suggested  p(given)  p(suggested)  margin")
        XCTAssertEqual(Set(lines[7...8]), ["  train/蓝/red.png   蓝     红            …         …   …", "  train/红/blue.png  红     蓝            …         …   …"])
        XCTAssertEqual(lines[9], "suspects of 颜色 (every one): logs/labels_颜色_DATE.tsv")
        // The suspects log lists the same four images.
        let logs = try FileManager.default.contentsOfDirectory(atPath: h.root + "/logs").filter { $0.hasPrefix("labels_颜色_") }
        let tsv = try String(contentsOfFile: h.root + "/logs/" + logs[0], encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(tsv[0], "split\timage\tgiven\tsuggested\tp(given)\tp(suggested)\tmargin")
        XCTAssertEqual(Set(tsv.dropFirst().filter { !$0.isEmpty }.map { $0.components(separatedBy: "\t").prefix(4).joined(separator: " ") }),
                       ["val 颜色/val/蓝/red.png 蓝 红", "val 颜色/val/红/blue.png 红 蓝", "train 颜色/train/蓝/red.png 蓝 红", "train 颜色/train/红/blue.png 红 蓝"])
        XCTAssertEqual(h.run("plot suspects 颜色").1, "wrote plots/suspects_颜色.png")
        let sheet = try suspectsSheet(h.session, ["suspects", "颜色"])
        XCTAssertEqual(Set(sheet.items.map { $0.caption[0] }), ["val · blue.png", "val · red.png", "train · blue.png", "train · red.png"])
        XCTAssertEqual(h.run("plot suspects 形状").1, "error: plot suspects: no check labels of task '形状' yet; run check labels 形状 (checked: 颜色)")
        XCTAssertEqual(h.session.trainer!.model.checkpointTensors().map(\.tensor.scalars), before, "the session's model is left as it was")
    }

    func testCheckLabelsOfATaskWithoutValJudgesTrainOnlyAndCtrlCStopsIt() {
        let h = loadedHarness()
        h.run("model tiny")
        h.run("set folds 2")
        h.run("set foldepochs 1")
        let (result, text) = h.run("check labels 颜色")
        XCTAssertEqual(result, .success, text)
        let lines = text.components(separatedBy: "\n")
        XCTAssertEqual(lines[1], "task 颜色, val: no images, nothing judged")
        XCTAssertTrue(lines[2].hasPrefix("task 颜色, train: ") && lines[2].contains(" of 4 images"), text)
        h.session.isCancelled = { true }
        XCTAssertTrue(h.run("check labels 颜色").1.hasPrefix("error: check labels cancelled ("), "Ctrl-C reports nothing")
        h.session.isCancelled = { false }
        XCTAssertEqual(h.run("check labels 形").1, "error: check labels: no task '形'; tasks: 形状, 颜色")
    }

    func testSimilarFindsTheImageItselfFirstAndReusesFeaturesUntilTheModelChanges() throws {
        let h = mislabelledHarness()
        XCTAssertEqual(h.run("similar labels/颜色/train/红/r3.png").1, "error: similar: no model; use: model tiny|resnet18|darknet, or open CHECKPOINT")
        h.run("model tiny")
        h.run("train 1")
        // A copy outside the dataset of one training image: that image is its nearest, at cosine 1.
        try FileManager.default.copyItem(atPath: h.root + "/labels/颜色/train/红/r3.png", toPath: h.root + "/query.png")
        let (result, text) = h.run("similar query.png 3")
        XCTAssertEqual(result, .success, text)
        let lines = text.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("task 颜色: the 3 images nearest to query.png (cosine of backbone features; 40 images, features computed in "), text)
        XCTAssertEqual(lines[1], "  rank  image            class  split  cosine")
        XCTAssertTrue(lines[2].hasPrefix("     1  train/红/r3.png  红     train   1.000"), text)
        XCTAssertEqual(lines.last, "  wrote plots/similar_query_颜色.png")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.root + "/plots/similar_query_颜色.png"))
        let again = h.run("similar query.png 3 颜色").1
        XCTAssertTrue(again.contains("40 images, features reused, checked in "), again)
        h.run("train 1")
        XCTAssertTrue(h.run("similar query.png 3 颜色").1.contains("40 images, features computed in "), "training changed the weights")
        // Opening other weights (which keeps other results) is seen from the weights themselves.
        XCTAssertEqual(h.run("save one.safetensors").0, .success)
        h.run("train 1")
        h.run("similar query.png 3 颜色")
        XCTAssertTrue(h.run("similar query.png 3 颜色").1.contains("features reused"))
        XCTAssertEqual(h.run("open one.safetensors").0, .success)
        XCTAssertTrue(h.run("similar query.png 3 颜色").1.contains("40 images, features computed in "), "open brought other weights")
        XCTAssertEqual(h.run("similar gone.png").1, "error: similar: gone.png: cannot read: No such file or directory")
        XCTAssertEqual(h.run("similar query.png 3 形状").1, "error: similar: no task '形状'; tasks: 颜色")
    }

    func testTabCompletesTheExplorationWords() {
        let h = loadedHarness()
        XCTAssertEqual(completions(before: ["show"], word: "d", in: h.session), ["data"])
        XCTAssertEqual(completions(before: ["show", "class"], word: "", in: h.session), ["形状", "颜色", "圆", "方", "红", "蓝"])
        XCTAssertEqual(completions(before: ["plot", "samples", "形状"], word: "", in: h.session), ["圆", "方"])
        XCTAssertEqual(completions(before: ["check"], word: "l", in: h.session), ["labels"])
        XCTAssertEqual(completions(before: ["check", "labels"], word: "颜", in: h.session), ["颜色"])
        XCTAssertEqual(completions(before: ["similar", "x.png"], word: "", in: h.session), ["形状", "颜色"])
        XCTAssertEqual(completions(before: ["show", "augment"], word: "aud", in: h.session), ["audit/"])
        XCTAssertEqual(completions(before: ["set"], word: "fold", in: h.session), ["folds", "foldepochs"])
    }

    func testAModelOfOtherTasksIsRefusedByEveryCommandThatRunsIt() {
        let h = loadedHarness()
        h.run("model tiny")
        plantedTree(in: h.root)
        try! FileManager.default.createDirectory(atPath: h.root + "/other/形状/val/圆", withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: h.root + "/other/形状/train/圆", withIntermediateDirectories: true)
        try! noisePNG(seed: 1).write(to: URL(fileURLWithPath: h.root + "/other/形状/train/圆/a.png"))
        XCTAssertEqual(h.run("load other").0, .success)
        for command in ["check labels", "similar other/形状/train/圆/a.png", "eval"] {
            let (result, text) = h.run(command)
            XCTAssertEqual(result, .failure)
            let name = command.hasPrefix("similar") ? "similar" : command
            XCTAssertTrue(text.hasPrefix("error: \(name): the model's tasks and classes differ from the dataset's ("), text)
        }
        XCTAssertTrue(h.run("check").1.contains("task 形状:"), "check needs no model")
    }
}
