import Foundation
import XCTest

/// Query and header values are read whole: a value with a trailing byte that is not part of it (a NUL,
/// a space, junk) is refused with 400 and a sentence naming the parameter, never read up to that byte.
final class ServeStrictParsingTests: XCTestCase {
    func testValuesWithTrailingBytesAreRefusedNamingTheParameter() throws {
        let folder = ServeFixtures.folderWithCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ServeProcess(["--model", "plain.safetensors"], in: folder)
        defer { server.stop() }
        let jpeg = try ServeFixtures.sample("blue.jpg")
        let cases: [(path: String, type: String, error: String)] = [
            ("/predict?threshold=0.5%00", "image/jpeg", #"threshold \"0.5\\u0000\" is not a number from 0 to 1"#),
            ("/predict?threshold=0.5%00junk", "image/jpeg", #"threshold \"0.5\\u0000junk\" is not a number from 0 to 1"#),
            ("/predict?threshold=0.5%20", "image/jpeg", #"threshold \"0.5 \" is not a number from 0 to 1"#),
            ("/predict?threshold=0.5x", "image/jpeg", "threshold 0.5x is not a number from 0 to 1"),
            ("/predict?threshold=0x1p-1", "image/jpeg", "threshold 0x1p-1 is not a number from 0 to 1"),
            ("/predict?threshold=nan", "image/jpeg", "threshold nan is not a number from 0 to 1"),
            ("/predict?threshold=0.1&threshold=0.9", "image/jpeg", "query parameter threshold is given twice"),
            ("/predict?thresold=0.5", "image/jpeg", #"unknown query parameter \"thresold\": known are threshold, name"#),
            ("/predict?name=a%00b.jpg", "image/jpeg", #"name \"a\\u0000b.jpg\" is empty or holds a control character"#),
            ("/predict?name=%FF", "image/jpeg", "query parameter name is not UTF-8 once decoded"),
            ("/predict", "image/jpeg;junk", #"Content-Type \"image/jpeg;junk\" has a parameter without name=value at byte 12"#),
            ("/predict", "image/jpeg junk", #"Content-Type \"image/jpeg junk\" has unexpected bytes after \"image/jpeg\" at byte 12"#),
            ("/predict", "multipart/form-data; boundary=a; boundary=b",
             #"Content-Type \"multipart/form-data; boundary=a; boundary=b\" names parameter boundary twice"#),
            ("/predict", "multipart/form-data; boundary=\"abc", "Content-Type parameter boundary has no closing quote"),
            ("/predict", "multipart/form-data; boundary=" + String(repeating: "b", count: 71),
             #"multipart boundary \"\#(String(repeating: "b", count: 71))\" is not 1 to 70 of the characters RFC 2046 allows"#),
        ]
        for c in cases {
            let answer = try server.request("POST", c.path, body: jpeg, type: c.type)
            XCTAssertEqual(answer.status, 400, "\(c.path) \(c.type): \(answer.body)")
            XCTAssertEqual(answer.body, #"{"error":"\#(c.error)"}"#)
        }
        // A broken escape, sent as is (URLSession would mend it).
        let raw = try RawConnection(port: server.port)
        raw.send("POST /predict?name=a%2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n")
        raw.send(jpeg)
        let answer = raw.readAnswer() ?? "no answer"
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 "), answer)
        XCTAssertTrue(answer.hasSuffix(#"{"error":"query parameter name has a % not followed by two hex digits"}"#), answer)
        // The same values without the trailing bytes are accepted.
        for path in ["/predict?threshold=0.5", "/predict?threshold=.25", "/predict?threshold=1e-1&name=a%20b.jpg"] {
            XCTAssertEqual(try server.request("POST", path, body: jpeg, type: "image/jpeg; charset=binary").status, 200, path)
        }
    }
}
