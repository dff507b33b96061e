import Foundation
import XCTest

/// Under concurrent requests of images that decode to far more than their bytes, the server's memory
/// stays within the bound the README states (idle RSS + --max-memory + one full-size image per processor
/// being decoded), and goes back down once they are answered.
final class ServeMemoryTests: XCTestCase {
    func testRSSStaysBoundedUnderConcurrentDecompressionBombsAndDropsAfter() throws {
        let folder = ServeFixtures.folderWithCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (maxMemory, maxPixels) = (2_000_000, 400_000)
        let server = try ServeProcess(["--model", "plain.safetensors", "--max-bytes", "1000000", "--max-memory", "\(maxMemory)",
                                       "--max-pixels", "\(maxPixels)", "--max-request-pixels", "1000000000", "--max-batch", "8"], in: folder)
        defer { server.stop() }
        // 16 black 600×600 PNGs: 30 KB of body that decodes to 17 MB of pixels.
        let bomb = ServeFixtures.blackPNG(width: 600, height: 600)
        let form = multipartBody((0..<16).map { ("black\($0).png", bomb) })
        XCTAssertEqual(try server.request("POST", "/predict", body: form.body, type: form.type).status, 200)
        let idle = try memory(of: server)

        let lock = NSLock()
        nonisolated(unsafe) var statuses: [Int] = []
        let clients = DispatchGroup()
        for _ in 0..<3 {
            clients.enter()
            Thread {
                let status = (try? server.request("POST", "/predict", body: form.body, type: form.type).status) ?? -1
                lock.withLock { statuses.append(status) }
                clients.leave()
            }.start()
        }
        clients.wait()
        XCTAssertEqual(statuses.filter { $0 != 200 && $0 != 503 }, [], "every request answered, or refused as busy")
        XCTAssertGreaterThan(statuses.filter { $0 == 200 }.count, 0)
        let loaded = try memory(of: server)
        // One full-size image per processor decoding at once: at most 8 bytes a pixel of RGBA, then 3 of RGB.
        let decoding = ProcessInfo.processInfo.activeProcessorCount * 11 * maxPixels
        let bound = idle.rss + maxMemory + decoding + 8 << 20
        XCTAssertLessThanOrEqual(loaded.peak, bound, "peak RSS \(loaded.peak >> 20) MiB over the bound \(bound >> 20) MiB (idle \(idle.rss >> 20) MiB)")
        print("serve RSS: idle \(idle.rss >> 10) KiB, peak under load \(loaded.peak >> 10) KiB (bound \(bound >> 10) KiB), after \(loaded.rss >> 10) KiB")
        XCTAssertLessThanOrEqual(loaded.rss, idle.rss + 16 << 20, "RSS after the load: \(loaded.rss >> 20) MiB, idle was \(idle.rss >> 20) MiB")
    }

    /// VmRSS and VmHWM (the peak) of the server process, in bytes.
    private func memory(of server: ServeProcess) throws -> (rss: Int, peak: Int) {
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) << 10
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}
