import Foundation

/// NVIDIA's libraries as pip installs them (`pip install 'nvidia-cuda-nvrtc==13.0.*'`, PyTorch's cuDNN):
/// site-packages/nvidia/<package>/lib/<library>, a folder the loader does not search. Found by looking
/// where Python installations keep their packages, without running Python.
enum PipLibraries {
    /// The site-packages and dist-packages folders that exist, in this order: $PYTHONPATH, $VIRTUAL_ENV,
    /// $CONDA_PREFIX, ~/.local, pyenv's versions (newest first), /usr/local, /usr, /opt/conda.
    static func sitePackages(environment: [String: String]) -> [String] {
        let files = FileManager.default
        let home = environment["HOME"] ?? NSHomeDirectory()
        let pyenv = environment["PYENV_ROOT"] ?? home + "/.pyenv"
        let versions = ((try? files.contentsOfDirectory(atPath: pyenv + "/versions")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map { pyenv + "/versions/" + $0 }
        let prefixes = [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"], home + "/.local"].compactMap { $0 }
            + versions + ["/usr/local", "/usr", "/opt/conda"]
        var folders = (environment["PYTHONPATH"] ?? "").split(separator: ":").map(String.init)
        for prefix in prefixes {
            let lib = prefix + "/lib"
            let pythons = ((try? files.contentsOfDirectory(atPath: lib)) ?? []).filter { $0.hasPrefix("python3") }
                .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            for python in pythons { folders += ["site-packages", "dist-packages"].map { "\(lib)/\(python)/\($0)" } }
        }
        return folders.filter { files.fileExists(atPath: $0 + "/nvidia") }
    }

    /// `name` in site-packages/nvidia/<package>/lib for each of `packages`, where such a file exists.
    static func candidates(_ name: String, packages: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        sitePackages(environment: environment).flatMap { site in packages.map { "\(site)/nvidia/\($0)/lib/\(name)" } }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}
