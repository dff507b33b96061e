import Foundation

/// Process-wide settings that must exist before OpenBLAS initialises, which happens when the
/// library is loaded, before `main`. Executables call this first thing; it re-executes the
/// process once with the settings in its environment, and returns when they are in place.
public enum ProcessSetup {
    /// OpenBLAS's idle worker threads spin (sched_yield) for a long while after each sgemm, taking
    /// a core from the engine's own parallel loops on small machines; a short timeout puts them to sleep.
    /// Measured on 2 cores: reference net training ≈ 15 % faster.
    public static func prepareOpenBLAS() {
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // execv returned: could not re-execute; carry on with the default spinning.
    }
}
