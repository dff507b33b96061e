import Foundation
import XCTest

/// Connections cannot hold `mtmc serve`: a head sent too slowly, a body that stalls and an idle connection
/// are closed after their timeouts (set small here), a request that asks to close is closed once answered,
/// and slow clients do not hold up others.
final class ServeConnectionTests: ServeFolderTestCase {
    func testAHeadSentHalfIsClosedAfterTheHeaderTimeoutWhileOthersAreAnswered() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--header-timeout", "0.5", "--idle-timeout", "60"], in: folder)
        defer { server.stop() }
        let slow = try RawConnection(port: server.port)
        XCTAssertTrue(slow.send("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"))
        XCTAssertEqual(try server.request("GET", "/health").status, 200)
        let end = slow.readToEnd()
        XCTAssertTrue(end.closed, "the half-sent head is still open")
        XCTAssertEqual(end.text, "", "closed without an answer")
    }

    func testAHeadSentAByteAtATimeIsClosedBeforeItEnds() throws {
        // An idle timeout that each byte renews would let this client hold the connection for ever.
        let server = try ServeProcess(["--model", "plain.safetensors", "--header-timeout", "0.5", "--idle-timeout", "60"], in: folder)
        defer { server.stop() }
        let slow = try RawConnection(port: server.port)
        let head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String(repeating: "X-Padding: slow\r\n", count: 40) + "\r\n"
        var sent = 0
        for byte in head.utf8 where slow.send(Data([byte])) && !slow.isClosedByServer {
            sent += 1
            usleep(20_000)
        }
        XCTAssertLessThan(sent, head.utf8.count, "the whole head was sent and the connection is still open")
        XCTAssertTrue(slow.readToEnd().closed)
    }

    func testABodyThatStallsIsClosedAfterTheBodyTimeout() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--body-timeout", "0.5", "--idle-timeout", "60"], in: folder)
        defer { server.stop() }
        let slow = try RawConnection(port: server.port)
        slow.send("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n\u{FF}\u{D8}")
        XCTAssertEqual(try server.request("GET", "/health").status, 200)
        XCTAssertTrue(slow.readToEnd().closed, "the stalled body is still open")
        XCTAssertEqual(try server.request("POST", "/predict", body: try ServeFixtures.sample("blue.jpg"), type: "image/jpeg").status, 200)
    }

    func testAnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--idle-timeout", "0.5"], in: folder)
        defer { server.stop() }
        let client = try RawConnection(port: server.port)
        client.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answer = client.readAnswer()
        XCTAssertTrue(answer?.hasPrefix("HTTP/1.1 200") == true, answer ?? "no answer")
        let end = client.readToEnd()
        XCTAssertTrue(end.closed, "the idle connection is still open")
        XCTAssertEqual(end.text, "")
    }

    func testAnHTTP10RequestWithoutKeepAliveIsClosedOnceAnswered() throws {
        let server = try ServeProcess(["--model", "plain.safetensors", "--idle-timeout", "60"], in: folder)
        defer { server.stop() }
        for request in ["GET /health HTTP/1.0\r\n\r\n", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"] {
            let client = try RawConnection(port: server.port)
            client.send(request)
            let end = client.readToEnd()
            XCTAssertTrue(end.closed, "still open after answering \(request.debugDescription)")
            XCTAssertTrue(end.text.contains(" 200 OK\r\n") && end.text.lowercased().contains("\r\nconnection: close\r\n"), end.text)
            XCTAssertTrue(end.text.hasSuffix(#""status":"ok"}"#), end.text)
        }
        // With keep-alive, HTTP/1.0 keeps the connection for the next request.
        let client = try RawConnection(port: server.port)
        for _ in 0..<2 {
            client.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let answer = client.readAnswer()
            XCTAssertTrue(answer?.contains(" 200 OK\r\n") == true, answer ?? "no answer")
        }
    }

    func testSlowClientsDoNotHoldUpOthers() throws {
        let jpeg = try ServeFixtures.sample("blue.jpg")
        // Room for two requests at once: a slow client holds only the bytes it has sent, not a request's share.
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-bytes", "\(jpeg.count)", "--max-memory", "\(2 * jpeg.count + 5000)"],
                                      in: folder)
        defer { server.stop() }
        // Twenty clients stopped mid-head and mid-body, then answers for others while they wait.
        let slow = try (0..<20).map { i in
            let client = try RawConnection(port: server.port)
            client.send(i % 2 == 0 ? "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   : "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\nContent-Length: 3000\r\n\r\n\u{FF}")
            return client
        }
        for _ in 0..<5 {
            XCTAssertEqual(try server.request("POST", "/predict", body: jpeg, type: "image/jpeg").status, 200)
        }
        XCTAssertEqual(slow.filter(\.isClosedByServer).count, 0, "the slow clients were answered while they were still open")
    }
}
