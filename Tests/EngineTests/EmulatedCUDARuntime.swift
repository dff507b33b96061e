import CBLAS
@testable import Engine
import Foundation
import XCTest

/// A `KernelRuntime` that runs the CUDA kernels of Sources/Engine/CUDA/Kernels on the host: the same
/// source, compiled by the toolchain's clang++ as C++ with CUDAEmulation/cuda_emulation.h (a fiber per
/// CUDA thread, __syncthreads a real barrier, block-shared statics). Device memory is host memory, handed
/// out filled with NaN so that a kernel reading what nobody wrote shows up in the results.
final class EmulatedCUDARuntime: KernelRuntime {
    private let library: UnsafeMutableRawPointer
    private var launchers: [String: Launcher] = [:]
    private typealias Launcher = @convention(c) (UnsafePointer<UInt32>, UnsafePointer<UInt32>, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Void
    /// Kernel names launched so far (the tests check every kernel was exercised).
    private(set) var launched: Set<String> = []
    func forgetLaunches() { launched = [] }
    /// Device-to-host copies so far: each one is a synchronisation on a GPU.
    private(set) var copiesToHost = 0
    /// Copies started ahead and not yet landed, their bytes staged as the driver stages them (pinned memory):
    /// they land when the stream next does anything (a launch, a copy), as an event makes those wait on a GPU.
    private(set) var inFlight: [(destination: UnsafeMutableRawPointer, staged: [UInt8])] = []

    func copyAhead(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int) {
        inFlight.append((UnsafeMutableRawPointer(destination.emulatedHostMemory), Array(UnsafeRawBufferPointer(start: source, count: bytes))))
    }

    private func land() {
        for copy in inFlight { copy.staged.withUnsafeBytes { _ = memcpy(copy.destination, $0.baseAddress!, $0.count) } }
        inFlight = []
    }
    let summary = ["emulated CUDA device (kernels compiled for the host)"]
    /// nil: GEMMs by the tiled kernel; a `HostColumnMajorBLAS`: through the cuBLAS path of the backend.
    var blas: DeviceBLAS?
    /// nil: convolutions by im2col and GEMM; a `HostCUDNN`: through the cuDNN path of the backend.
    var convolution: DeviceConvolution?

    /// One device for the whole test run (compiling the kernels takes a few seconds).
    static let shared: Result<CUDADevice, Error> = Result { CUDADevice(runtime: try EmulatedCUDARuntime()) }
    /// The same kernels with GEMMs through a cuBLAS-shaped BLAS (OpenBLAS, column-major, as cuBLAS is).
    static let withBLAS: Result<CUDADevice, Error> = Result {
        let runtime = try EmulatedCUDARuntime()
        runtime.blas = HostColumnMajorBLAS()
        return CUDADevice(runtime: runtime)
    }

    /// The same kernels with convolutions through a cuDNN-shaped library (host loops over its descriptors).
    static let withCUDNN: Result<CUDADevice, Error> = Result {
        let runtime = try EmulatedCUDARuntime()
        runtime.convolution = HostCUDNN()
        return CUDADevice(runtime: runtime)
    }

    static var kernelFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Engine/CUDA/Kernels").standardizedFileURL
    }

    init() throws {
        let folder = Self.kernelFolder
        let source = try CUDAKernelSource.program(in: folder)
        let names = CUDAKernelSource.entryNames(in: source)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-cuda-emulation-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // The kernels are included exactly as NVRTC sees them, one program after the emulation header.
        let program = work.appendingPathComponent("kernels.cpp")
        try (["#include \"cuda_emulation.h\""] + CUDAKernelSource.files.map { "#include \"\($0)\"" }
            + names.map { "EMU_EXPORT(\($0))" }).joined(separator: "\n").appending("\n")
            .write(to: program, atomically: true, encoding: .utf8)
        let output = work.appendingPathComponent("libkernels.so")
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("CUDAEmulation")
        try Self.run(ProcessInfo.processInfo.environment["CXX"] ?? "clang++",
                     ["-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-Wall", "-Werror", "-Wno-unused-function",
                      "-I", header.path, "-I", folder.path, program.path, "-o", output.path])
        guard let handle = dlopen(output.path, RTLD_NOW | RTLD_LOCAL) else {
            throw FixtureError(message: "cannot load \(output.path): \(String(cString: dlerror()))")
        }
        library = handle
    }

    /// Runs a tool found on PATH; throws with its output when it fails.
    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(message: "\(tool) failed compiling the CUDA kernels for the host:\n\(text)")
        }
    }

    func allocate(bytes: Int) throws -> DeviceAddress {
        let p = malloc(bytes)!
        memset(p, 0xff, bytes)
        return DeviceAddress(bits: UInt64(UInt(bitPattern: p)))
    }

    func free(_ address: DeviceAddress) { Foundation.free(address.emulatedHostMemory) }

    func copy(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int) {
        land()
        memcpy(destination.emulatedHostMemory, source, bytes)
    }

    func copy(fromDevice source: DeviceAddress, to destination: UnsafeMutableRawPointer, bytes: Int) {
        land()
        copiesToHost += 1
        memcpy(destination, source.emulatedHostMemory, bytes)
    }

    func copy(fromDevice source: DeviceAddress, toDevice destination: DeviceAddress, bytes: Int) {
        land()
        memcpy(destination.emulatedHostMemory, source.emulatedHostMemory, bytes)
    }

    func launch(_ kernel: String, grid: (Int, Int, Int), block: (Int, Int, Int), arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        let launcher = launchers[kernel] ?? {
            guard let symbol = dlsym(library, "emu_launch_\(kernel)") else { fatalError("no kernel \(kernel) in the emulated library") }
            let f = unsafeBitCast(symbol, to: Launcher.self)
            launchers[kernel] = f
            return f
        }()
        launched.insert(kernel)
        land()
        let g = [UInt32(grid.0), UInt32(grid.1), UInt32(grid.2)], b = [UInt32(block.0), UInt32(block.1), UInt32(block.2)]
        launcher(g, b, arguments)
    }
}

/// cublasSgemm's contract (column-major, leading dimensions) on host memory, by OpenBLAS: tests the
/// backend's row-major to column-major mapping that cuBLAS gets on a GPU.
final class HostColumnMajorBLAS: DeviceBLAS {
    let summary = "OpenBLAS as cuBLAS"
    private(set) var calls = 0

    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: DeviceAddress, lda: Int,
               b: DeviceAddress, ldb: Int, beta: Float, c: DeviceAddress, ldc: Int) {
        calls += 1
        cblas_sgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a.emulatedHostMemory, Int32(lda), b.emulatedHostMemory, Int32(ldb), beta, c.emulatedHostMemory, Int32(ldc))
    }
}

extension DeviceAddress {
    /// The emulated device's memory is host memory: its addresses are host addresses. Only the emulation
    /// (standing in for the device's own kernels and libraries) reads through them.
    var emulatedHostMemory: UnsafeMutablePointer<Float> { UnsafeMutablePointer(bitPattern: UInt(bits))! }
}
