import Foundation
import XCTest

/// Without a CUDA driver, `set device cuda` and `predict --device cuda` say why in one line and
/// everything runs on the CPU with results identical to never asking. $MTMC_CUDA_DRIVER points at a
/// missing file, so this holds on a machine with a GPU too.
final class DeviceFallbackTests: XCTestCase {
    private let noDriver = ["MTMC_CUDA_DRIVER": "/nonexistent/libcuda.so.1"]
    private let reason = "device: CUDA unavailable, staying on cpu: cannot load /nonexistent/libcuda.so.1 "
        + "(/nonexistent/libcuda.so.1: cannot open shared object file: No such file or directory); the path in $MTMC_CUDA_DRIVER"

    func testSetDeviceCudaWithoutADriverSaysWhyAndTrainsExactlyAsTheCPU() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func script(_ device: String) -> String {
            "set size 16\nload \(MTMC.repository)/samples/prints\nbalance base 4\nmodel tiny\n\(device)\ntrain 1\neval\nsave m.safetensors\n"
        }
        let (cpuFolder, askedFolder) = (folder + "/cpu", folder + "/asked")
        for f in [cpuFolder, askedFolder] { try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true) }
        let cpu = try MTMC.run([], stdin: script(""), in: cpuFolder, environment: noDriver)
        let asked = try MTMC.run([], stdin: script("set device cuda\ninfo"), in: askedFolder, environment: noDriver)
        XCTAssertEqual(cpu.status, 0, cpu.output)
        XCTAssertEqual(asked.status, 0, asked.output)
        var lines = steady(asked.output)
        XCTAssertTrue(lines.contains(reason), asked.output)
        XCTAssertTrue(lines.contains("device = cpu"), asked.output)
        XCTAssertTrue(lines.contains("device: cpu (set device cuda for an NVIDIA GPU)"), asked.output)
        // Without the lines of the two extra commands, the transcripts are the same: same losses, same accuracies.
        let start = try XCTUnwrap(lines.firstIndex(of: reason))
        let end = try XCTUnwrap(lines.firstIndex(of: "device: cpu (set device cuda for an NVIDIA GPU)"))  // info's last line here
        lines.removeSubrange(start...end)
        XCTAssertEqual(lines, steady(cpu.output).filter { !$0.isEmpty })
        XCTAssertTrue(lines.contains { $0.hasPrefix("epoch 1 ") }, asked.output)

        let predictions = try [(cpuFolder, "cpu"), (askedFolder, "cuda")].map { folder, device in
            try MTMC.run(["predict", "--model", "m.safetensors", "--device", device, MTMC.repository + "/samples/predict"],
                         in: folder, environment: noDriver)
        }
        XCTAssertTrue(predictions[0].output.contains("blue.jpg"), predictions[0].output)
        XCTAssertEqual(predictions[1].output, reason + "\n" + predictions[0].output)
    }

    /// The transcript without what varies from run to run: timings, speeds, log file dates, empty lines.
    private func steady(_ output: String) -> [String] {
        output.replacingOccurrences(of: #"[0-9.]+ img/s"#, with: "# img/s", options: .regularExpression)
            .replacingOccurrences(of: #" in [0-9.]+ s"#, with: " in # s", options: .regularExpression)
            .replacingOccurrences(of: #"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d"#, with: "DATE", options: .regularExpression)
            .components(separatedBy: "\n").filter { !$0.isEmpty }
    }
}
