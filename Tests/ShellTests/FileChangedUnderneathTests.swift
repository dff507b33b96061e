import Foundation
import XCTest

/// Files that another program rewrites or cuts short while mtmc reads them: a checkpoint rewritten in place
/// while a server reloads it, a disk cache truncated while a session trains from it. mtmc answers with an error
/// or reads the images elsewhere, and goes on; it never dies of a fault (SIGBUS).
final class FileChangedUnderneathTests: XCTestCase {
    let image = MTMC.repository + "/samples/predict/blue.jpg"

    /// Reloads while another program rewrites the checkpoint in place (truncated, then written again piece by
    /// piece, alternating two models) are answered with the new model or an error; the server keeps serving, and
    /// each answer comes from the model whose bytes give the hash it reports.
    func testACheckpointRewrittenInPlaceDuringReloadsLeavesTheServerServing() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (versions, hashes, expected) = try twoModels(in: folder)
        let served = folder + "/served.safetensors"
        try versions[0].write(to: URL(fileURLWithPath: served))
        let server = try ServeProcess(["--model", "served.safetensors"], in: folder)
        defer { server.stop() }

        let rewriter = InPlaceRewriter(path: served, versions: versions)
        rewriter.start()
        var loaded = 0, refused = 0
        for _ in 0..<60 {
            let answer: (status: Int, headers: [String: String], body: String)
            do { answer = try server.request("POST", "/reload") } catch {
                rewriter.stop()
                server.process.waitUntilExit()
                return XCTFail("the server died during a reload: \(server.process.terminationReason == .uncaughtSignal ? "signal" : "status") "
                               + "\(server.process.terminationStatus) (\(error))")
            }
            if answer.status == 200 {
                loaded += 1
                XCTAssertTrue(hashes.contains { answer.body.contains(#""sha256":"\#($0)""#) }, answer.body)
            } else {
                refused += 1
                XCTAssertEqual(answer.status, 422, answer.body)
                XCTAssertTrue(answer.body.hasPrefix(#"{"error":"reload failed, still serving "#), answer.body)
            }
            try assertAnswersAsTheFileItNames(server, hashes: hashes, expected: expected)
        }
        rewriter.stop()
        XCTAssertEqual(loaded + refused, 60)

        // Cut short for good: refused, naming the file; the model before it still serves.
        let before = try server.request("GET", "/model").body
        try versions[1].prefix(versions[1].count / 2).write(to: URL(fileURLWithPath: served))
        let refusedReload = try server.request("POST", "/reload")
        XCTAssertEqual(refusedReload.status, 422, refusedReload.body)
        XCTAssertTrue(refusedReload.body.contains("served.safetensors"), refusedReload.body)
        XCTAssertEqual(try server.request("GET", "/model").body, before)
        // Complete again: loaded, and /model names its bytes.
        try versions[1].write(to: URL(fileURLWithPath: served))
        XCTAssertEqual(try server.request("POST", "/reload").status, 200)
        XCTAssertTrue(try server.request("GET", "/model").body.contains(#""sha256":"\#(hashes[1])""#))
        try assertAnswersAsTheFileItNames(server, hashes: hashes, expected: expected)
    }

    /// A session that loaded a tree through a disk cache goes on when another program truncates the cache file:
    /// `train` and `eval` read the images from their files, and the session says why once.
    func testADiskCacheCutShortDuringASessionIsReadFromTheImages() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let session = try LineFedSession(in: folder)
        session.send("set size 16\nset cache disk\nset cachedir cache\nload \(MTMC.repository)/samples/prints\nbalance base 4\nmodel tiny\n")
        XCTAssertTrue(session.waitFor("model tiny:"), session.output)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/cache").filter { $0.hasSuffix(".mtmccache") }
        XCTAssertEqual(files.count, 1, session.output)
        let cache = folder + "/cache/" + (files.first ?? "")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: cache)[.size] as? Int)
        XCTAssertEqual(truncate(cache, off_t(size / 2)), 0)

        session.send("train 1\neval\n")
        let (reason, status, output) = session.finish()
        XCTAssertEqual(reason, .exit, output)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.components(separatedBy: "was cut short by another program while in use (\(size) bytes when loaded, \(size / 2) now); "
                                        + "its images are read from the original files, and the next load rebuilds it").count, 2, output)
        XCTAssertTrue(output.contains("epoch 1 "), output)
        XCTAssertTrue(output.contains("task 印花 (val):"), output)
    }

    // MARK: - Helpers

    /// Two untrained tiny models (seeds 1 and 2): each file's bytes, its SHA-256, and `mtmc predict --json` of the image with it.
    private func twoModels(in folder: String) throws -> (versions: [Data], hashes: [String], expected: [String]) {
        let made = try MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; set seed 1; model tiny; save a.safetensors; "
                                 + "set seed 2; model tiny; save b.safetensors"], in: folder)
        XCTAssertEqual(made.status, 0, made.output)
        let names = ["a.safetensors", "b.safetensors"]
        let versions = try names.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        let hashes = try names.map { try sha256sum(folder + "/" + $0) }
        let expected = try names.map { name in
            let run = try MTMC.run(["predict", "--model", name, "--json", image], in: folder)
            XCTAssertEqual(run.status, 0, run.output)
            return run.output
        }
        XCTAssertNotEqual(hashes[0], hashes[1])
        XCTAssertNotEqual(expected[0], expected[1])
        return (versions, hashes, expected)
    }

    /// Every answer now comes from one of the two models, and equals (within rounding) what `mtmc predict` says
    /// with the file whose hash it names.
    private func assertAnswersAsTheFileItNames(_ server: ServeProcess, hashes: [String], expected: [String]) throws {
        let answer = try server.request("POST", "/predict", body: try Data(contentsOf: URL(fileURLWithPath: image)), type: "image/jpeg")
        XCTAssertEqual(answer.status, 200, answer.body)
        let which = try XCTUnwrap(hashes.firstIndex(of: answer.headers["x-model-sha256"] ?? ""), "answered by an unknown model")
        XCTAssertEqual(try model(server), hashes[which], "/model names the model that answers")
        try assertSameScores(answer.body, expected[which])
    }

    private func model(_ server: ServeProcess) throws -> String? {
        let body = try server.request("GET", "/model").body
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return json?["sha256"] as? String
    }

    /// The same classes in the same order per task, and raw outputs equal within 1e-4 of their size.
    private func assertSameScores(_ a: String, _ b: String) throws {
        func tasks(_ text: String) throws -> [String: [[String: Any]]] {
            let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return json?["tasks"] as? [String: [[String: Any]]] ?? [:]
        }
        let (x, y) = (try tasks(a), try tasks(b))
        XCTAssertEqual(Set(x.keys), Set(y.keys))
        XCTAssertFalse(x.isEmpty, a)
        for (task, scores) in x {
            let other = y[task] ?? []
            XCTAssertEqual(scores.map { $0["class"] as? String }, other.map { $0["class"] as? String }, task)
            for (s, t) in zip(scores, other) {
                let (u, v) = (s["raw"] as? Double ?? .nan, t["raw"] as? Double ?? .nan)
                XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(v)), "\(task): \(a) against \(b)")
            }
        }
    }
}

/// Rewrites a file in place, as a careless copy over it does (truncate, then write), again and again, alternating
/// between versions, until stopped. Each piece is followed by a pause of a millisecond, so that a rewrite spans
/// several ticks of the file's timestamps and a reader can see it changing; each complete file stays 10 ms, so
/// that many reloads start reading a complete file that is then cut short under them.
private final class InPlaceRewriter: @unchecked Sendable {
    let path: String
    let versions: [Data]
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String, versions: [Data]) {
        self.path = path
        self.versions = versions
    }

    func start() {
        Thread { [self] in
            var round = 0
            while !lock.withLock({ stopped }) {
                rewrite(versions[round % versions.count])
                round += 1
            }
            done.signal()
        }.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    private func rewrite(_ bytes: Data) {
        let fd = open(path, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { return }
        defer {
            close(fd)
            usleep(10_000)
        }
        let piece = 32 << 10
        bytes.withUnsafeBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: piece) {
                _ = write(fd, raw.baseAddress! + offset, min(piece, raw.count - offset))
                usleep(1000)
            }
        }
    }
}

/// `mtmc` reading commands from a pipe, as a program drives it: each line runs as it arrives.
private final class LineFedSession {
    let process = Process()
    private let input = Pipe(), outputPipe = Pipe()
    private(set) var output = ""

    init(in folder: String) throws {
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = outputPipe
        try process.run()
    }

    func send(_ lines: String) { input.fileHandleForWriting.write(Data(lines.utf8)) }

    /// Reads output until it contains `text`; false when the output ends first, or after two minutes (a safety
    /// net for a machine under load, far beyond the few seconds it takes).
    func waitFor(_ text: String) -> Bool {
        var poller = pollfd(fd: outputPipe.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        while !output.contains(text), poll(&poller, 1, 120_000) > 0 {
            let chunk = outputPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += String(decoding: chunk, as: UTF8.self)
        }
        return output.contains(text)
    }

    /// Closes the input and waits for the end: how the process ended, its status and its whole output.
    func finish() -> (Process.TerminationReason, Int32, String) {
        input.fileHandleForWriting.closeFile()
        output += String(decoding: outputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus, output)
    }
}
