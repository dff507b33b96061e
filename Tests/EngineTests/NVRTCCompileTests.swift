@testable import Engine
import Foundation
import XCTest

/// Every kernel compiles with NVRTC 13.0 for compute_90 (PTX) and sm_90 (cubin), with the entry names
/// the backend launches. Needs libnvrtc.so.13: `pip install 'nvidia-cuda-nvrtc==13.0.*'` (tools/install-deps.sh
/// installs it into .build/venv; mtmc finds the wheel itself) or $MTMC_NVRTC; without it the tests skip saying
/// so, which tools/test.sh counts as a failure. No GPU is needed.
final class NVRTCCompileTests: XCTestCase {
    private var nvrtc: NVRTC!
    private var source = ""
    private var entries: [String] = []

    override func setUpWithError() throws {
        // Should mtmc's own search miss the wheel, the compile tests still run (and the search's test fails).
        if case .failure = NVRTC.load(), ProcessInfo.processInfo.environment["MTMC_NVRTC"] == nil, let found = Self.pipNVRTC() {
            setenv("MTMC_NVRTC", found.library, 1)
        }
        switch NVRTC.load() {
        case .success(let loaded): nvrtc = loaded
        case .failure(let error):
            throw XCTSkip("NVRTC 13 is not installed (pip install 'nvidia-cuda-nvrtc==13.0.*', or set MTMC_NVRTC): \(error)")
        }
        source = try CUDAKernelSource.program(in: EmulatedCUDARuntime.kernelFolder)
        entries = CUDAKernelSource.entryNames(in: source)
    }

    /// The virtual environment tools/install-deps.sh installs NVRTC into when python3 lacks it.
    static let installedEnvironment = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/venv").standardized.path

    /// libnvrtc.so.13 from the pip package, as Python finds it: the Python of tools/install-deps.sh's virtual
    /// environment, else python3 on the path (tests only: mtmc looks without Python). With it, the environment
    /// in which mtmc's own search should find it: for the virtual environment, as its `activate` leaves it.
    static func pipNVRTC() -> (library: String, environment: [String: String])? {
        let current = ProcessInfo.processInfo.environment
        if let library = nvrtcPath(python: installedEnvironment + "/bin/python3") {
            return (library, current.merging(["VIRTUAL_ENV": installedEnvironment]) { $1 })
        }
        return nvrtcPath(python: "python3").map { ($0, current) }
    }

    private static func nvrtcPath(python: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import nvidia, os; print(next(p for d in nvidia.__path__ for p in [os.path.join(d, 'cu13/lib/libnvrtc.so.13')] if os.path.exists(p)))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    func testMTMCFindsTheWheelWherePipInstalledIt() throws {
        guard let pip = Self.pipNVRTC() else { throw XCTSkip("neither \(Self.installedEnvironment) nor python3 has the nvidia-cuda-nvrtc wheel") }
        // The search itself, not a load: once loaded, the library is found by name in this process.
        let found = PipLibraries.candidates("libnvrtc.so.13", packages: NVRTC.pipPackages, environment: pip.environment)
            .map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() }
        XCTAssertTrue(found.contains(URL(fileURLWithPath: pip.library).resolvingSymlinksInPath()), "found \(found), pip put it at \(pip.library)")
    }

    func testNVRTCIsVersion13Point0() {
        // A newer NVRTC emits PTX that a CUDA 13.0 driver refuses.
        XCTAssertEqual(nvrtc.version.0, 13)
        XCTAssertEqual(nvrtc.version.1, 0, "NVRTC \(nvrtc.version) is newer than 13.0")
    }

    func testEveryKernelCompilesToPTXForCompute90WithItsEntryName() throws {
        XCTAssertGreaterThan(entries.count, 30, "kernel entry names not found in the source")
        let ptx = String(decoding: try nvrtc.compile(source, architecture: "compute_90"), as: UTF8.self)
        XCTAssertTrue(ptx.contains(".target sm_90"), "PTX is not for sm_90")
        let defined = Set(ptx.components(separatedBy: ".entry ").dropFirst().map { String($0.prefix { $0 != "(" }) })
        XCTAssertEqual(defined, Set(entries))
    }

    func testEveryKernelCompilesToACubinForSm90WithItsEntryName() throws {
        let cubin = try nvrtc.compile(source, architecture: "sm_90")
        XCTAssertEqual(Array(cubin.prefix(4)), [0x7f, 0x45, 0x4c, 0x46], "a cubin is an ELF file")
        let text = String(decoding: cubin.map { $0 == 0 ? 0x0a : $0 }, as: UTF8.self)
        let symbols = Set(text.split(separator: "\n").map(String.init))
        for name in entries { XCTAssertTrue(symbols.contains(name), "cubin lacks entry \(name)") }
    }

    func testAKernelThatDoesNotCompileReportsNVRTCsLog() {
        XCTAssertThrowsError(try nvrtc.compile(source + "\nextern \"C\" __global__ void broken(float* y) { y[0] = undeclared; }",
                                               architecture: "sm_90")) { error in
            XCTAssertTrue("\(error)".contains("undeclared"), "\(error)")
        }
    }

    func testTheCacheCompilesOnceKeyedBySourceNVRTCAndArchitectureAndServesWithoutNVRTC() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-cuda-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = CUDAKernelCache(folder: folder)
        let first = try cache.image(source: source, architecture: "sm_90", nvrtc: .success(nvrtc))
        let file = folder.appendingPathComponent(CUDAKernelCache.fileName(source: source, nvrtc: nvrtc.version, architecture: "sm_90"))
        XCTAssertEqual(try Data(contentsOf: file), first.image)
        XCTAssertTrue(file.lastPathComponent.hasSuffix("-sm_90-nvrtc13.0.cubin"), file.lastPathComponent)
        // A second call reads the file instead of compiling: a marker written there comes back.
        try Data("marker".utf8).write(to: file)
        XCTAssertEqual(try cache.image(source: source, architecture: "sm_90", nvrtc: .success(nvrtc)).image, Data("marker".utf8))
        let missing = Result<NVRTC, EngineError>.failure(EngineError("no NVRTC here"))
        XCTAssertEqual(try cache.image(source: source, architecture: "sm_90", nvrtc: missing).image, Data("marker".utf8))
        // Another architecture or another source is another key; without NVRTC it is NVRTC's error.
        XCTAssertThrowsError(try cache.image(source: source, architecture: "sm_80", nvrtc: missing)) { XCTAssertEqual("\($0)", "no NVRTC here") }
        let edited = try cache.image(source: source + "\n// edited", architecture: "sm_90", nvrtc: .success(nvrtc))
        XCTAssertEqual(Array(edited.image.prefix(4)), [0x7f, 0x45, 0x4c, 0x46])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).count, 2)
    }
}
