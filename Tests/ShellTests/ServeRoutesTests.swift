import Foundation
import XCTest

/// Unknown routes and methods a route does not take are answered with a JSON error like every other
/// refusal, and `--access-log` prints one line per request.
final class ServeRoutesTests: ServeFolderTestCase {
    let routes = "mtmc serve answers GET /, GET /model, GET /health, GET /metrics, POST /predict, POST /reload"

    func testUnknownRoutesAndWrongMethodsAnswerAJSONError() throws {
        let server = try ServeProcess(["--model", "plain.safetensors"], in: folder)
        defer { server.stop() }
        let missing = try server.request("GET", "/nothere")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.headers["content-type"], "application/json")
        XCTAssertEqual(missing.body, #"{"error":"no route /nothere: \#(routes)"}"#)
        for (method, path, allowed) in [("GET", "/predict", "POST"), ("DELETE", "/model", "GET"), ("PUT", "/reload", "POST")] {
            let answer = try server.request(method, path)
            XCTAssertEqual(answer.status, 405, "\(method) \(path)")
            XCTAssertEqual(answer.headers["allow"], allowed)
            XCTAssertEqual(answer.headers["content-type"], "application/json")
            XCTAssertEqual(answer.body, #"{"error":"\#(method) is not allowed on \#(path): use \#(allowed)"}"#)
        }
        XCTAssertEqual(try server.request("GET", "/health").status, 200)
    }

    func testAccessLogPrintsOneLinePerRequest() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--access-log"], in: folder)
        let jpeg = try ServeFixtures.sample("blue.jpg")
        let health = try server.request("GET", "/health")
        _ = try server.request("POST", "/predict", body: jpeg, type: "image/jpeg")
        _ = try server.request("POST", "/predict?threshold=2", body: jpeg, type: "image/jpeg")
        _ = try server.request("GET", "/no%0Awhere")
        let lines = server.stopAndReadOutput().split(separator: "\n").map(String.init)
        let pattern = #"^(GET|POST) (/[^ ]*) ([0-9]{3}) ([0-9]+) bytes [0-9]+\.[0-9] ms$"#
        XCTAssertEqual(lines.count, 4, lines.joined(separator: "\n"))
        XCTAssertEqual(lines.filter { $0.range(of: pattern, options: .regularExpression) != nil }.count, 4, lines.joined(separator: "\n"))
        XCTAssertEqual(lines.map { $0.split(separator: " ").prefix(3).joined(separator: " ") },
                       ["GET /health 200", "POST /predict 200", "POST /predict 400", "GET /no%0Awhere 404"])
        XCTAssertTrue(lines.first?.hasPrefix("GET /health 200 \(health.body.utf8.count) bytes ") == true, lines.first ?? "")
    }
}
