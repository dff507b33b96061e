import Foundation
import XCTest

/// The upload page of `mtmc serve` in a real browser: headless Chromium (Debian's `chromium`) driven over
/// the DevTools protocol by tools/browser/upload-page.py.
final class UploadPageBrowserTests: XCTestCase {
    func testTheUploadPageShowsThumbnailsBarsAndMarkedClassesAndExplainsABadThreshold() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try MTMC.prepare("set size 16; load \(MTMC.repository)/samples/prints; balance base 4; model tiny; train 1; eval; calibrate; save m.safetensors", in: folder)
        let images = ["blue.jpg", "stripes.jpg"].map { MTMC.repository + "/samples/predict/" + $0 }
        let expected = try MTMC.run(["predict", "--model", "m.safetensors", "--json", "--threshold", "0.3"] + images, in: folder)
        XCTAssertEqual(expected.status, 0, expected.output)
        let answers = try expected.output.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }

        let server = try ServeProcess(["--model", "m.safetensors"], in: folder)
        defer { server.stop() }
        let browser = Process(), output = Pipe(), errors = Pipe()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = ["python3", MTMC.repository + "/tools/browser/upload-page.py", "http://127.0.0.1:\(server.port)/", "0.3"] + images
        browser.standardOutput = output
        browser.standardError = errors
        try browser.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        XCTAssertEqual(browser.terminationStatus, 0, problems)
        let page = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], problems)

        XCTAssertEqual(page["model"] as? String, "tiny 16×16, tasks 印花, 颜色, calibrated, epoch 1")
        XCTAssertEqual(page["empty"] as? String, "The threshold is empty: enter a calibrated confidence from 0 to 1 (0.5 marks classes right at least half the time).")
        XCTAssertEqual(page["invalid"] as? String, "The threshold \"1.7\" is not a number from 0 to 1: a class is marked when its calibrated confidence reaches it.")
        let shown = try XCTUnwrap(page["before_toggle"] as? [String: Any])
        XCTAssertEqual(shown["status"] as? String, "2 images, threshold 0.3: marked classes reach it")
        XCTAssertEqual(shown["rawOpen"] as? Bool, false)
        XCTAssertEqual(shown["rawVisible"] as? Bool, false, "the raw JSON is hidden until toggled")
        let toggled = try XCTUnwrap(page["after_toggle"] as? [String: Any])
        XCTAssertEqual(toggled["rawVisible"] as? Bool, true)
        XCTAssertTrue((page["raw"] as? String ?? "").hasPrefix("200\n["), page["raw"] as? String ?? "")

        let cards = try XCTUnwrap(shown["cards"] as? [[String: Any]])
        XCTAssertEqual(cards.map { $0["image"] as? String }, ["blue.jpg", "stripes.jpg"])
        var marked = 0
        for (card, answer) in zip(cards, answers) {
            XCTAssertEqual(card["thumbnail"] as? Bool, true, "a thumbnail of \(card["image"] ?? "")")
            let tasks = try XCTUnwrap(card["tasks"] as? [String: [[String: Any]]])
            let expectedTasks = try XCTUnwrap(answer["tasks"] as? [String: [[String: Any]]])
            let above = try XCTUnwrap(answer["above"] as? [String: [String]])
            XCTAssertEqual(Set(tasks.keys), ["印花", "颜色"])
            for (task, rows) in tasks {
                let scores = try XCTUnwrap(expectedTasks[task])
                XCTAssertEqual(Set(rows.map { $0["class"] as! String }), Set(scores.map { $0["class"] as! String }), task)
                let values = rows.map { Double($0["value"] as! String)! }
                XCTAssertEqual(values, values.sorted(by: >), "classes by confidence, highest first")
                for row in rows {
                    let name = row["class"] as! String, value = Double(row["value"] as! String)!
                    let confidence = try XCTUnwrap(scores.first { $0["class"] as? String == name }?["confidence"] as? Double)
                    XCTAssertEqual(value, confidence, accuracy: 1e-9, "\(task) \(name)")
                    XCTAssertEqual(row["width"] as? String, "\(Int((100 * confidence).rounded()))%", "bar of \(task) \(name)")
                    let isAbove = above[task]?.contains(name) ?? false
                    XCTAssertEqual(row["above"] as? Bool, isAbove, "\(task) \(name) at \(confidence)")
                    XCTAssertEqual(row["mark"] as? String, isAbove ? "✓ above threshold" : "")
                    marked += isAbove ? 1 : 0
                }
            }
        }
        XCTAssertGreaterThan(marked, 0, "some class reaches 0.3, so the marking is exercised")
        XCTAssertTrue((shown["text"] as? String ?? "").contains("✓ above threshold"))
    }
}
