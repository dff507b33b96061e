import Foundation

/// NVIDIA's run-time CUDA compiler (libnvrtc.so.13), opened with dlopen: turns the kernel source into
/// PTX (for compute_XY) or a cubin (for sm_XY).
struct NVRTC {
    typealias Program = OpaquePointer?
    private let create: @convention(c) (UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>, Int32,
                                        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let compileProgram: @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private let destroy: @convention(c) (UnsafeMutablePointer<Program>) -> Int32
    private let logSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    private let log: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    private let outputSize: (ptx: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32,
                             cubin: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32)
    private let output: (ptx: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32,
                         cubin: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32)
    /// (major, minor), e.g. (13, 0).
    let version: (Int, Int)
    let library: SharedLibrary

    /// The wheels' folders under site-packages/nvidia: CUDA 13's wheels share cu13, older ones had their own.
    static let pipPackages = ["cu13", "cuda_nvrtc"]

    /// Loads libnvrtc.so.13: $MTMC_NVRTC (a path) when set, else the loader's search, else pip's wheel
    /// (nvidia-cuda-nvrtc: site-packages/nvidia/cu13/lib).
    static func load() -> Result<NVRTC, EngineError> {
        SharedLibrary.open(["libnvrtc.so.13"], environment: "MTMC_NVRTC", pipPackages: pipPackages).flatMap { library in
            Result { try NVRTC(library) }.mapError { $0 as? EngineError ?? EngineError("\($0)") }
        }
    }

    private init(_ library: SharedLibrary) throws {
        self.library = library
        create = try library.function("nvrtcCreateProgram", as: type(of: create))
        compileProgram = try library.function("nvrtcCompileProgram", as: type(of: compileProgram))
        destroy = try library.function("nvrtcDestroyProgram", as: type(of: destroy))
        logSize = try library.function("nvrtcGetProgramLogSize", as: type(of: logSize))
        log = try library.function("nvrtcGetProgramLog", as: type(of: log))
        outputSize = (try library.function("nvrtcGetPTXSize", as: type(of: outputSize.ptx)),
                      try library.function("nvrtcGetCUBINSize", as: type(of: outputSize.cubin)))
        output = (try library.function("nvrtcGetPTX", as: type(of: output.ptx)),
                  try library.function("nvrtcGetCUBIN", as: type(of: output.cubin)))
        let versionOf = try library.function("nvrtcVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32).self)
        var major: Int32 = 0, minor: Int32 = 0
        _ = versionOf(&major, &minor)
        version = (Int(major), Int(minor))
    }

    /// Compiles `source` for `architecture` ("compute_90": PTX text; "sm_90": a cubin); the error
    /// carries NVRTC's log.
    func compile(_ source: String, architecture: String) throws -> [UInt8] {
        var program: Program = nil
        guard create(&program, source, "mtmc.cu", 0, nil, nil) == 0 else { throw EngineError("NVRTC: cannot create the program") }
        defer { _ = destroy(&program) }
        let options = ["--gpu-architecture=\(architecture)", "--std=c++17"]
        let status = withCStrings(options) { compileProgram(program, Int32(options.count), $0) }
        guard status == 0 else { throw EngineError("NVRTC (\(architecture)): compile failed (status \(status)):\n\(programLog(program))") }
        let ptx = architecture.hasPrefix("compute_")
        var size = 0
        _ = (ptx ? outputSize.ptx : outputSize.cubin)(program, &size)
        var bytes = [CChar](repeating: 0, count: size)
        _ = (ptx ? output.ptx : output.cubin)(program, &bytes)
        return bytes.map { UInt8(bitPattern: $0) }
    }

    private func programLog(_ program: Program) -> String {
        var size = 0
        _ = logSize(program, &size)
        var text = [CChar](repeating: 0, count: max(size, 1))
        _ = log(program, &text)
        return String(cString: text)
    }
}

/// Calls `body` with `strings` as a C array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
