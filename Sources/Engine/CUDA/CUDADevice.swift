import Foundation

/// One CUDA device as the engine uses it: its runtime, its backend, and a cache of freed buffers by
/// size (training allocates the same shapes every step, and a driver allocation synchronises).
public final class CUDADevice {
    let runtime: KernelRuntime
    private(set) lazy var backend = CUDABackend(device: self)
    private var free: [Int: [DeviceAddress]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()

    init(runtime: KernelRuntime) {
        self.runtime = runtime
    }

    /// The process's GPU, opened on first use, or why there is none: every model moved to CUDA shares it.
    public static let shared = open()

    /// The GPU through the driver, or why not (no driver, no device, no NVRTC, no kernel sources).
    public static func open() -> Result<CUDADevice, EngineError> {
        do { return .success(CUDADevice(runtime: try CUDADriverRuntime())) }
        catch let error as EngineError { return .failure(error) }
        catch { return .failure(EngineError("\(error)")) }
    }

    /// Lines for `info`.
    public var summary: [String] { runtime.summary }

    /// How the vendor convolution library was used so far (nil without one): passes run and passes it had no algorithm for.
    public var convolutionReport: String? { runtime.convolution?.report }

    /// Device memory for `count` floats: a freed buffer of that size when one is cached, else the runtime's.
    func allocate(_ count: Int) -> DeviceAddress {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        lock.lock()
        if let address = free[bytes]?.popLast() {
            cachedBytes -= bytes
            lock.unlock()
            return address
        }
        lock.unlock()
        do {
            return try runtime.allocate(bytes: bytes)
        } catch {
            releaseCache()
            guard let address = try? runtime.allocate(bytes: bytes) else {
                fatalError("CUDA: out of device memory allocating \(bytes) bytes: \(error)")
            }
            return address
        }
    }

    func release(_ address: DeviceAddress, _ count: Int) {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        lock.lock()
        free[bytes, default: []].append(address)
        cachedBytes += bytes
        lock.unlock()
    }

    private func releaseCache() {
        lock.lock()
        defer { lock.unlock() }
        for addresses in free.values { addresses.forEach { runtime.free($0) } }
        free.removeAll()
        cachedBytes = 0
    }

    func copyAhead(from source: UnsafePointer<Float>, to destination: DeviceAddress, count: Int) {
        guard count > 0 else { return }
        runtime.copyAhead(from: source, toDevice: destination, bytes: count * MemoryLayout<Float>.stride)
    }

    func copy(from source: UnsafePointer<Float>, toDevice destination: DeviceAddress, count: Int) {
        guard count > 0 else { return }
        runtime.copy(from: source, toDevice: destination, bytes: count * MemoryLayout<Float>.stride)
    }

    func copy(fromDevice source: DeviceAddress, to destination: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        runtime.copy(fromDevice: source, to: destination, bytes: count * MemoryLayout<Float>.stride)
    }

    func copy(fromDevice source: DeviceAddress, toDevice destination: DeviceAddress, count: Int) {
        guard count > 0 else { return }
        runtime.copy(fromDevice: source, toDevice: destination, bytes: count * MemoryLayout<Float>.stride)
    }
}
