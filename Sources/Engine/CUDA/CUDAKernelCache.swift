import Foundation

/// Kernel images on disk, one file per (source hash, NVRTC version, architecture): NVRTC compiles the
/// kernels once per machine, not once per process. Without NVRTC, a cached build of the same source
/// for the same architecture by any NVRTC serves (a cache built elsewhere can be carried along).
public struct CUDAKernelCache {
    let folder: URL

    /// $MTMC_CUDA_CACHE, else $XDG_CACHE_HOME/mtmc/cuda, else ~/.cache/mtmc/cuda.
    static var standard: CUDAKernelCache {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MTMC_CUDA_CACHE"] { return CUDAKernelCache(folder: URL(fileURLWithPath: path)) }
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return CUDAKernelCache(folder: base.appendingPathComponent("mtmc/cuda"))
    }

    static func fileName(source: String, nvrtc version: (Int, Int), architecture: String) -> String {
        "\(CUDAKernelSource.fingerprint(source))-\(architecture)-nvrtc\(version.0).\(version.1).cubin"
    }

    /// The cubin of `source` for `architecture` ("sm_90") and where it came from; compiles and stores
    /// it when this NVRTC has not built it before. `nvrtc` failure is rethrown only when nothing is cached.
    func image(source: String, architecture: String, nvrtc: Result<NVRTC, EngineError>) throws -> (image: Data, origin: String) {
        let compiler: NVRTC
        switch nvrtc {
        case .success(let loaded): compiler = loaded
        case .failure(let error):
            let prefix = "\(CUDAKernelSource.fingerprint(source))-\(architecture)-"
            let cached = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix(prefix) }.sorted().last
            if let cached, let data = try? Data(contentsOf: folder.appendingPathComponent(cached)) {
                return (data, "NVRTC not loaded; kernels from \(folder.path)/\(cached)")
            }
            throw error
        }
        let file = folder.appendingPathComponent(Self.fileName(source: source, nvrtc: compiler.version, architecture: architecture))
        let version = "NVRTC \(compiler.version.0).\(compiler.version.1) (\(compiler.library.path))"
        if let cached = try? Data(contentsOf: file) { return (cached, "\(version), kernels cached in \(file.path)") }
        let image = Data(try compiler.compile(source, architecture: architecture))
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? image.write(to: file, options: .atomic)
        return (image, "\(version), kernels compiled for \(architecture) into \(file.path)")
    }

    /// Compiles the kernels for `architecture` into the standard cache (for a machine without NVRTC);
    /// returns the file written.
    public static func precompile(architecture: String) throws -> String {
        guard let sources = CUDAKernelSource.folder() else { throw EngineError("CUDA kernel sources not found; set $MTMC_CUDA_KERNELS") }
        let source = try CUDAKernelSource.program(in: sources)
        let cache = standard, nvrtc = try NVRTC.load().get()
        _ = try cache.image(source: source, architecture: architecture, nvrtc: .success(nvrtc))
        return cache.folder.appendingPathComponent(fileName(source: source, nvrtc: nvrtc.version, architecture: architecture)).path
    }
}
