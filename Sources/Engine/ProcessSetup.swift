import Foundation

/// Process-wide settings that must exist before OpenBLAS initialises, which happens when the
/// library is loaded, before `main`. Executables call this first thing; it re-executes the
/// process once with the settings in its environment, and returns when they are in place.
public enum ProcessSetup {
    /// `preferCoreType: false` keeps OpenBLAS's own kernels, whose rounding `mtmc predict` (which skips
    /// this setup) has: `mtmc serve` answers must equal its answers bit for bit.
    public static func prepareOpenBLAS(preferCoreType: Bool = true) {
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        // OpenBLAS's idle worker threads spin (sched_yield) for a long while after each sgemm, taking
        // a core from the engine's own parallel loops on small machines; a short timeout puts them to
        // sleep (BENCHMARKS.md has the gain on 2 cores).
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1)
        // Ranks of an MPI job on one host share its cores: each takes its part rather than all of them.
        if getenv("OPENBLAS_NUM_THREADS") == nil, let local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap({ Int(String(cString: $0)) }),
           local > 1 {
            setenv("OPENBLAS_NUM_THREADS", String(max(1, ProcessInfo.processInfo.activeProcessorCount / local)), 1)
        }
        if preferCoreType, getenv("OPENBLAS_CORETYPE") == nil, let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let core = preferredCoreType(cpuinfo: info) {
            setenv("OPENBLAS_CORETYPE", core, 1)
        }
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // execv returned: could not re-execute; carry on with the defaults.
    }

    /// On an AMD processor with AVX-512, OpenBLAS 0.3.21 picks its Intel Cooper Lake (AVX-512) kernels,
    /// which are slower on the engine's convolution products than its AVX2 (Haswell) kernels there
    /// (BENCHMARKS.md). Other processors keep OpenBLAS's own choice.
    public static func preferredCoreType(cpuinfo info: String) -> String? {
        guard info.contains("AuthenticAMD") else { return nil }
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        return flags.contains("avx512f") && flags.contains("avx2") && flags.contains("fma") ? "Haswell" : nil
    }
}
