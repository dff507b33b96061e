import Foundation
import MTMC
import XCTest

/// `mtmc serve` run as a user runs it: the built binary on a free loopback port, spoken to over HTTP.
final class ServeEndToEndTests: XCTestCase {
    /// Two checkpoints made once: `calibrated` (trained 1 epoch, evaluated, calibrated) and `plain` (untrained).
    nonisolated(unsafe) static var folder = ""

    override class func setUp() {
        folder = MTMC.temporaryFolder()
        let prints = MTMC.repository + "/samples/prints"
        let made = try? MTMC.run(["-c", "set size 16; load \(prints); model tiny; save plain.safetensors; train 1; eval; calibrate; save calibrated.safetensors"], in: folder)
        precondition(made?.status == 0, made?.output ?? "mtmc did not run")
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    var folder: String { Self.folder }
    let samples = ["blue.jpg", "small flowers 碎花.png", "stripes.jpg"].map { MTMC.repository + "/samples/predict/" + $0 }

    /// `mtmc predict --json`'s lines for the sample images (or for `images`), predicted as one batch.
    func predictLines(_ checkpoint: String, _ extra: [String] = [], images: [String]? = nil) throws -> [String] {
        let run = try MTMC.run(["predict", "--model", checkpoint, "--json"] + extra + (images ?? samples), in: folder)
        XCTAssertEqual(run.status, 0, run.output)
        return run.output.split(separator: "\n").map(String.init)
    }

    func testAnswersEqualPredictJSONForOneImageAndForMultipart() throws {
        let server = try ServeProcess(["--model", "calibrated.safetensors"], in: folder)
        defer { server.stop() }
        let expected = try predictLines("calibrated.safetensors")
        XCTAssertEqual(expected.count, 3)
        // A lone image is answered as predict answers that image alone: the same classes in the same order and
        // the same classes above the threshold; the numbers within float rounding, since the server and predict
        // may run the product on other threads, in other batches, with other kernels.
        for path in samples {
            let line = try XCTUnwrap(try predictLines("calibrated.safetensors", images: [path]).first)
            let query = "/predict?name=" + path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let answer = try server.request("POST", query, body: try Data(contentsOf: URL(fileURLWithPath: path)), type: "image/jpeg")
            XCTAssertEqual(answer.status, 200)
            assertJSONEqualWithinTolerance(answer.body, line, path)
        }
        let form = multipartBody(try samples.map { ($0, try Data(contentsOf: URL(fileURLWithPath: $0))) })
        let all = try server.request("POST", "/predict", body: form.body, type: form.type)
        XCTAssertEqual(all.status, 200)
        assertJSONEqualWithinTolerance(all.body, "[" + expected.joined(separator: ",") + "]", "multipart")

        // ?threshold= does what predict's --threshold does: every class at or above it is listed in "above".
        let low = try predictLines("calibrated.safetensors", ["--threshold", "0.1"])
        XCTAssertNotEqual(low, expected, "a lower threshold lists more classes")
        let lowAll = try server.request("POST", "/predict?threshold=0.1", body: form.body, type: form.type)
        assertJSONEqualWithinTolerance(lowAll.body, "[" + low.joined(separator: ",") + "]", "multipart, threshold 0.1")
    }

    func testModelHealthMetricsAndUploadPage() throws {
        let server = try ServeProcess(["--model", "calibrated.safetensors"], in: folder)
        defer { server.stop() }
        XCTAssertTrue(server.startupLine.hasPrefix("serving calibrated.safetensors (tiny, 16×16, 2 tasks, sha256 "), server.startupLine)
        XCTAssertTrue(server.startupLine.hasSuffix(":\(server.port), loopback only"), server.startupLine)
        let sha = try sha256sum(folder + "/calibrated.safetensors")

        let model = try server.request("GET", "/model")
        XCTAssertEqual(model.status, 200)
        XCTAssertEqual(model.headers["content-type"], "application/json")
        XCTAssertEqual(model.body, #"{"architecture":"tiny","backbone_passes":1,"calibrated":true,"checkpoint":"calibrated.safetensors","epoch":1,"#
                       + #""input_size":{"height":16,"width":16},"sha256":"\#(sha)","tasks":[{"classes":["斑马纹","条纹","格子","波点","渐变色","碎花","纯色","迷彩"],"name":"印花"},"#
                       + #"{"classes":["紫","红","绿","蓝","黄"],"name":"颜色"}]}"#)
        XCTAssertEqual(try server.request("GET", "/health").body, #"{"sha256":"\#(sha)","status":"ok"}"#)

        let page = try server.request("GET", "/")
        XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(page.body.contains(#"<input type="file" name="image""#) && page.body.contains("fetch('/predict"), page.body)
        XCTAssertTrue(page.body.contains(#"name="threshold" value="\#(Defaults.threshold)""#), "the page starts at the default threshold")

        let image = try Data(contentsOf: URL(fileURLWithPath: samples[0]))
        XCTAssertEqual(try server.request("POST", "/predict", body: image, type: "image/jpeg").status, 200)
        XCTAssertEqual(try server.request("POST", "/predict", body: image, type: "text/plain").status, 415)
        XCTAssertEqual(try server.request("GET", "/nothere").status, 404)
        let metrics = try server.request("GET", "/metrics")
        XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let lines = Set(metrics.body.split(separator: "\n").map(String.init))
        for expected in [#"mtmc_requests_total{route="/predict",status="200"} 1"#, #"mtmc_requests_total{route="/predict",status="415"} 1"#,
                         #"mtmc_requests_total{route="/model",status="200"} 1"#, #"mtmc_requests_total{route="other",status="404"} 1"#,
                         #"mtmc_errors_total{route="/predict",status="415"} 1"#, #"mtmc_errors_total{route="other",status="404"} 1"#,
                         "mtmc_batch_images_count 1", "mtmc_batch_images_sum 1.0", #"mtmc_batch_images_bucket{le="1.0"} 1"#,
                         "# TYPE mtmc_request_duration_seconds histogram"] {
            XCTAssertTrue(lines.contains(expected), "no '\(expected)' in:\n\(metrics.body)")
        }
        // Everything before this /metrics request: /model, /health, /, 2 × /predict, the 404.
        XCTAssertTrue(lines.contains("mtmc_request_duration_seconds_count 6"), metrics.body)
    }

    func testBadInputsGetA4xxNamingTheProblemAndServingGoesOn() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-bytes", "6000"], in: folder)
        defer { server.stop() }
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: samples[0]))
        XCTAssertLessThan(jpeg.count, 6000)
        let empty = multipartBody([])
        let cases: [(body: Data, type: String?, path: String, status: Int, error: String)] = [
            (Data(), "image/jpeg", "/predict", 400, "empty body: send a JPEG or PNG image"),
            (Data("hello".utf8), "image/png", "/predict", 400, "upload: not a JPEG or PNG file (starts with 68 65 6C 6C)"),
            (jpeg.prefix(jpeg.count / 2), "image/jpeg", "/predict?name=half.jpg", 400, "half.jpg: " + (try truncatedReason(jpeg))),
            (Data(repeating: 0xFF, count: 6001), "image/jpeg", "/predict", 413, "body is larger than --max-bytes 6000"),
            (jpeg, "text/plain", "/predict", 415,
             "content type text/plain is not accepted: send image/jpeg, image/png, application/octet-stream or multipart/form-data"),
            (jpeg, "image/jpeg", "/predict?threshold=2", 400, "threshold 2 is not a number from 0 to 1"),
            (jpeg, "multipart/form-data", "/predict", 400, "multipart/form-data without a boundary parameter"),
            (empty.body, empty.type, "/predict", 400, "multipart body has no parts: add at least one image"),
            (multipartBody([("empty.jpg", Data())]).body, empty.type, "/predict", 400, "empty.jpg: empty file (0 bytes)"),
        ]
        for c in cases {
            let answer = try server.request("POST", c.path, body: c.body, type: c.type)
            XCTAssertEqual(answer.status, c.status, c.error)
            XCTAssertEqual(answer.body, #"{"error":"\#(c.error)"}"#)
            XCTAssertEqual(try server.request("POST", "/predict", body: jpeg, type: "image/jpeg").status, 200, "still serving after: \(c.error)")
        }
    }

    func testAnImageOverThePixelLimitIsRefusedFromItsHeader() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-pixels", "4095"], in: folder)
        defer { server.stop() }
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: samples[0]))
        let answer = try server.request("POST", "/predict?name=big.jpg", body: jpeg, type: "image/jpeg")
        XCTAssertEqual(answer.status, 413)
        XCTAssertEqual(answer.body, #"{"error":"big.jpg: image declares 64×64 pixels, over the limit of 4095 pixels"}"#)
        XCTAssertEqual(try server.request("GET", "/health").status, 200)
    }

    func testReloadUnderConcurrentRequestsFailsNoneAndSwapsTheModel() throws {
        try FileManager.default.copyItem(atPath: folder + "/plain.safetensors", toPath: folder + "/served.safetensors")
        defer { try? FileManager.default.removeItem(atPath: folder + "/served.safetensors") }
        let server = try ServeProcess(["--model", "served.safetensors", "--max-batch", "4"], in: folder)
        defer { server.stop() }
        let image = try Data(contentsOf: URL(fileURLWithPath: samples[2]))
        let expected = [try sha256sum(folder + "/plain.safetensors"): try predictLines("plain.safetensors")[2],
                        try sha256sum(folder + "/calibrated.safetensors"): try predictLines("calibrated.safetensors")[2]]
            .mapValues { $0.replacingOccurrences(of: samples[2], with: "upload") }

        let lock = NSLock()
        nonisolated(unsafe) var answers: [(status: Int, sha: String?, body: String)] = [], stop = false
        let clients = DispatchGroup()
        // Clients post until told to stop (at most 300 requests each), so both swaps happen while they run.
        for _ in 0..<6 {
            DispatchQueue.global().async(group: clients) {
                for _ in 0..<300 where !lock.withLock({ stop }) {
                    let answer = try? server.request("POST", "/predict", body: image, type: "image/jpeg")
                    lock.withLock { answers.append((answer?.status ?? -1, answer?.headers["x-model-sha256"], answer?.body ?? "no answer")) }
                }
            }
        }
        /// Waits (at most 10 s) until `condition` holds for the answers so far; whether it does.
        func waitForAnswers(_ condition: ([(status: Int, sha: String?, body: String)]) -> Bool) -> Bool {
            for _ in 0..<400 where !lock.withLock({ condition(answers) }) { usleep(25_000) }
            return lock.withLock { condition(answers) }
        }
        let (plainSHA, calibratedSHA) = (try sha256sum(folder + "/plain.safetensors"), try sha256sum(folder + "/calibrated.safetensors"))
        // While the clients run: swap in the calibrated checkpoint by POST /reload, then the plain one again by SIGHUP.
        XCTAssertTrue(waitForAnswers { $0.count >= 6 })
        try replace(folder + "/served.safetensors", with: folder + "/calibrated.safetensors")
        let reloaded = try server.request("POST", "/reload")
        XCTAssertEqual(reloaded.status, 200, reloaded.body)
        XCTAssertTrue(reloaded.body.contains(#""calibrated":true"#), reloaded.body)
        XCTAssertTrue(waitForAnswers { $0.filter { $0.sha == calibratedSHA }.count >= 6 }, "answers from the reloaded file")
        try replace(folder + "/served.safetensors", with: folder + "/plain.safetensors")
        kill(server.process.processIdentifier, SIGHUP)
        // SIGHUP's reload runs on its own thread: the clients go on until answers come from the plain file again
        // (more than the 6 requests that can have been in flight under it when the calibrated file came in).
        XCTAssertTrue(waitForAnswers { $0.drop { $0.sha != calibratedSHA }.filter { $0.sha == plainSHA }.count > 12 }, "answers after SIGHUP")
        lock.withLock { stop = true }
        clients.wait()

        XCTAssertEqual(answers.filter { $0.status != 200 }.map(\.body), [])
        // Batched with other requests, raw outputs may differ from a lone image's in the last bits (as
        // `mtmc predict` of 4 images differs from that of 1: OpenBLAS picks kernels by matrix shape).
        for answer in answers {
            try assertSameAnswer(answer.body, answer.sha.flatMap { expected[$0] } ?? "no model named", "answer of model \(answer.sha ?? "none")")
        }
        XCTAssertEqual(answers.first?.sha, plainSHA)
        XCTAssertEqual(try server.request("GET", "/health").body, #"{"sha256":"\#(plainSHA)","status":"ok"}"#)

        // A file that does not load leaves the current model serving.
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: folder + "/served.safetensors"))
        let refused = try server.request("POST", "/reload")
        XCTAssertEqual(refused.status, 422)
        XCTAssertTrue(refused.body.hasPrefix(#"{"error":"reload failed, still serving "#), refused.body)
        XCTAssertEqual(try server.request("POST", "/predict", body: image, type: "image/jpeg").status, 200)
    }

    func testABindBeyondLoopbackIsSaidInTheStartupLine() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--host", "0.0.0.0"], in: folder)
        defer { server.stop() }
        XCTAssertTrue(server.startupLine.hasSuffix("on http://0.0.0.0:\(server.port), NOT loopback: reachable from other machines (--host 0.0.0.0)"),
                      server.startupLine)
    }

    func testAMissingCheckpointIsAnErrorAtStart() throws {
        let run = try MTMC.run(["serve", "--model", "nothere.safetensors", "--port", "0"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.output, "error: cannot read nothere.safetensors: No such file or directory\n")
    }

    /// Two JSON answers name the same image and the same classes in the same order, with the same classes above
    /// the threshold, and numbers (raw outputs, softmax, confidences) within float rounding.
    func assertSameAnswer(_ a: String, _ b: String, _ message: String) throws {
        assertJSONEqualWithinTolerance(a, b, message)
    }

    /// Replaces a file as a deployment would: a copy beside it renamed over it.
    func replace(_ path: String, with source: String) throws {
        try? FileManager.default.removeItem(atPath: path + ".new")
        try FileManager.default.copyItem(atPath: source, toPath: path + ".new")
        XCTAssertEqual(rename(path + ".new", path), 0)
    }

    /// What `mtmc predict` says of the first half of a JPEG: the same decoder must say it to the server.
    func truncatedReason(_ jpeg: Data) throws -> String {
        let path = folder + "/half.jpg"
        try jpeg.prefix(jpeg.count / 2).write(to: URL(fileURLWithPath: path))
        let run = try MTMC.run(["predict", "--model", "plain.safetensors", "--json", "half.jpg"], in: folder)
        let prefix = "skipped half.jpg: "
        return String(run.output.split(separator: "\n").first { $0.hasPrefix(prefix) }?.dropFirst(prefix.count) ?? "predict did not skip it")
    }
}
