import Foundation

/// The CUDA C source of every kernel, kept in CUDA/Kernels (a resource of the Engine target) and
/// compiled as one program: common.cuh first, then the kernel files.
enum CUDAKernelSource {
    static let files = ["common.cuh", "elementwise.cu", "gemm.cu", "convolution.cu", "batchnorm.cu",
                        "pooling.cu", "loss.cu", "optimizers.cu"]

    /// The folder holding the kernel files: $MTMC_CUDA_KERNELS, else the resource bundle beside the
    /// executable (SwiftPM's `mtmc_Engine.resources`), else nil.
    static func folder() -> URL? {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["MTMC_CUDA_KERNELS"] { candidates.append(URL(fileURLWithPath: path)) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for bundle in ["mtmc_Engine.resources", "mtmc_Engine.bundle"] {
            candidates.append(executable.appendingPathComponent(bundle).appendingPathComponent("Kernels"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(files[0]).path) }
    }

    /// The whole program's source, read from `folder`.
    static func program(in folder: URL) throws -> String {
        try files.map { name in
            do { return try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
            catch { throw EngineError("CUDA kernels: cannot read \(folder.appendingPathComponent(name).path): \(error.localizedDescription)") }
        }.joined(separator: "\n")
    }

    /// The entry names the program defines (`extern "C" __global__ void name(`), in source order.
    static func entryNames(in source: String) -> [String] {
        source.components(separatedBy: "extern \"C\" __global__ void ").dropFirst().compactMap { rest in
            rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }.description
        }
    }

    /// FNV-1a over the bytes of `text`: a stable key for the compile cache (Swift's Hasher is seeded per process).
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
