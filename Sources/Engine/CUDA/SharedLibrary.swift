#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A C library opened at run time with dlopen, so that nothing CUDA is needed to build or start mtmc.
struct SharedLibrary {
    let handle: UnsafeMutableRawPointer
    /// The path or name it was opened by.
    let path: String

    /// Opens $`environment` when set (a path), else the first of `names` the loader finds, else the first
    /// found in pip's site-packages/nvidia/<package>/lib for `pipPackages`; the error says what was tried
    /// and the loader's reason.
    static func open(_ names: [String], environment: String, pipPackages: [String] = []) -> Result<SharedLibrary, EngineError> {
        let override = ProcessInfo.processInfo.environment[environment].flatMap { $0.isEmpty ? nil : $0 }
        if override == "off" { return .failure(EngineError("turned off by $\(environment)=off")) }
        let tried = override.map { [$0] } ?? names + names.flatMap { PipLibraries.candidates($0, packages: pipPackages) }
        var reasons: [String] = []
        for name in tried {
            // NVRTC loads its builtins library by name at compile time; opened first from the same
            // folder (RTLD_GLOBAL), it is found even when that folder is not on the loader's path.
            if name.contains("/"), name.contains("libnvrtc.so") {
                let builtins = URL(fileURLWithPath: name).deletingLastPathComponent().path
                if let files = try? FileManager.default.contentsOfDirectory(atPath: builtins) {
                    for file in files where file.hasPrefix("libnvrtc-builtins.so") && !file.contains("alt") {
                        _ = dlopen(builtins + "/" + file, RTLD_NOW | RTLD_GLOBAL)
                    }
                }
            }
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return .success(SharedLibrary(handle: handle, path: name)) }
            reasons.append(String(cString: dlerror()))
        }
        let how = override != nil ? "the path in $\(environment)" : "set $\(environment) to its path"
        return .failure(EngineError("cannot load \(tried.joined(separator: " or ")) (\(reasons.joined(separator: "; "))); \(how)"))
    }

    /// The function `name` as the C type `T`; throws naming the library when it lacks it.
    func function<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(handle, name) else { throw EngineError("\(path) has no function \(name)") }
        return unsafeBitCast(symbol, to: type)
    }
}

extension Result where Failure == EngineError {
    /// The error's text, or "" on success.
    var failureReason: String {
        if case .failure(let error) = self { return error.message }
        return ""
    }
}
