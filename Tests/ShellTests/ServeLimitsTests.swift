import Foundation
import XCTest

/// What one request may cost `mtmc serve`: its parts, the pixels it decodes, the images in one forward
/// pass, and the requests in flight with it, each bounded by an option and refused with a sentence naming it.
final class ServeLimitsTests: ServeFolderTestCase {
    func testAMultipartOfMorePartsThanMaxImagesIsRefusedWith413() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-images", "5"], in: folder)
        defer { server.stop() }
        let jpeg = try ServeFixtures.sample("blue.jpg")
        let five = multipartBody(Array(repeating: ("blue.jpg", jpeg), count: 5))
        XCTAssertEqual(try server.request("POST", "/predict", body: five.body, type: five.type).status, 200)
        let six = multipartBody(Array(repeating: ("blue.jpg", jpeg), count: 6))
        let answer = try server.request("POST", "/predict", body: six.body, type: six.type)
        XCTAssertEqual(answer.status, 413)
        XCTAssertEqual(answer.body, #"{"error":"multipart body has more than 5 parts: at most --max-images 5 images per request"}"#)
    }

    func testARequestOfManyImagesRunsInBatchesOfAtMostMaxBatch() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-batch", "4"], in: folder)
        defer { server.stop() }
        let names = ["blue.jpg", "small flowers 碎花.png", "stripes.jpg"]
        let files = try (0..<30).map { i in ("\(i)-" + names[i % 3], try ServeFixtures.sample(names[i % 3])) }
        let form = multipartBody(files)
        let answer = try server.request("POST", "/predict", body: form.body, type: form.type)
        XCTAssertEqual(answer.status, 200, answer.body)
        let results = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]]
        XCTAssertEqual(results?.map { $0["image"] as? String }, files.map(\.0), "one answer per image, in order")
        // The sample images answered within the many are answered as they are alone (raw outputs within
        // 1e-4: a product's last bits depend on how many images share a batch).
        for (i, name) in names.enumerated() {
            let alone = try server.request("POST", "/predict", body: try ServeFixtures.sample(name), type: "image/jpeg")
            let single = try JSONSerialization.jsonObject(with: Data(alone.body.utf8)) as? [String: Any]
            let (expected, got) = (rawOutputs(single), rawOutputs(results?[i]))
            XCTAssertEqual(expected.keys.sorted(), got.keys.sorted(), name)
            XCTAssertEqual(expected.count, 13, "8 + 5 classes")
            for (key, value) in expected { XCTAssertEqual(value, got[key] ?? .nan, accuracy: 1e-4, "\(name) \(key)") }
        }
        let metrics = try server.request("GET", "/metrics").body
        let lines = Set(metrics.split(separator: "\n").map(String.init))
        // 30 images in passes of at most 4 (8 passes), then the 3 lone images.
        for expected in ["mtmc_batch_images_sum 33.0", "mtmc_batch_images_count 11", #"mtmc_batch_images_bucket{le="4.0"} 11"#] {
            XCTAssertTrue(lines.contains(expected), "no '\(expected)' in:\n\(metrics)")
        }
    }

    func testARequestWhoseImagesDecodeToMoreThanMaxRequestPixelsIsRefused() throws {
        // The sample PNG decodes to 64×64 = 4096 pixels: two fit in 10000, the third does not.
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-request-pixels", "10000"], in: folder)
        defer { server.stop() }
        let png = try ServeFixtures.sample("small flowers 碎花.png")
        let two = multipartBody([("a.png", png), ("b.png", png)])
        XCTAssertEqual(try server.request("POST", "/predict", body: two.body, type: two.type).status, 200)
        let three = multipartBody([("a.png", png), ("b.png", png), ("c.png", png)])
        let answer = try server.request("POST", "/predict", body: three.body, type: three.type)
        XCTAssertEqual(answer.status, 413)
        XCTAssertEqual(answer.body, #"{"error":"c.png: the request's images decode to more than --max-request-pixels 10000 pixels"}"#)
        let jpeg = try ServeFixtures.sample("blue.jpg")
        XCTAssertEqual(try server.request("POST", "/predict", body: jpeg, type: "image/jpeg").status, 200)
    }

    func testARequestPastMaxMemoryIsAnswered503AndServingGoesOn() throws {
        let jpeg = try ServeFixtures.sample("blue.jpg")
        // A one-image request holds its body and two batches of one 18×18 image (the model reads 16×16).
        let request = jpeg.count + 2 * 18 * 18 * 3
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-bytes", "\(jpeg.count)",
                                       "--max-memory", "\(request + jpeg.count / 2 - 1)"], in: folder)
        defer { server.stop() }
        // A client that has sent its head and half its body holds those bytes.
        let slow = try RawConnection(port: server.port)
        slow.send("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n")
        slow.send(jpeg.prefix(jpeg.count / 2))
        // Wait until the server holds them (/metrics says; polled, with a guard of 10 s).
        let held = "mtmc_memory_held_bytes \(Double(jpeg.count / 2))"
        for _ in 0..<100 where !(try server.request("GET", "/metrics").body.contains(held)) { usleep(100_000) }
        XCTAssertTrue(try server.request("GET", "/metrics").body.contains(held))
        let busy = try server.request("POST", "/predict", body: jpeg, type: "image/jpeg")
        XCTAssertEqual(busy.status, 503)
        XCTAssertEqual(busy.body, #"{"error":"busy: requests in flight hold --max-memory \#(request + jpeg.count / 2 - 1) bytes; try again shortly"}"#)
        XCTAssertEqual(try server.request("GET", "/health").status, 200, "other routes are not held up")
        slow.send(jpeg.suffix(from: jpeg.count / 2))
        let answer = slow.readAnswer()
        XCTAssertTrue(answer?.hasPrefix("HTTP/1.1 200") == true, answer ?? "no answer")
        XCTAssertEqual(try server.request("POST", "/predict", body: jpeg, type: "image/jpeg").status, 200, "the bytes are free again")
    }

    /// "task/class" → raw output, from one image's answer.
    private func rawOutputs(_ answer: [String: Any]?) -> [String: Double] {
        var outputs: [String: Double] = [:]
        for (task, scores) in answer?["tasks"] as? [String: [[String: Any]]] ?? [:] {
            for score in scores { outputs["\(task)/\(score["class"] ?? "?")"] = score["raw"] as? Double }
        }
        return outputs
    }
}
