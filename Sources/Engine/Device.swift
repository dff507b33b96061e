/// Where a tensor's elements live. Every tensor knows its device; every op runs on the backend of
/// its inputs' device, so a model moves between devices without its code changing.
public enum Device: Equatable, CustomStringConvertible {
    /// Host memory; the reference backend (OpenBLAS sgemm and the engine's own loops).
    case cpu
    /// An NVIDIA GPU: kernels from CUDA/Kernels compiled by NVRTC at run time (`CUDADevice.open()`).
    case cuda(CUDADevice)

    /// The kernels of this device.
    var backend: any Backend {
        switch self {
        case .cpu: return CPUBackend.shared
        case .cuda(let device): return device.backend
        }
    }

    public var isCPU: Bool {
        if case .cpu = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case .cuda: return "cuda"
        }
    }

    public static func == (a: Device, b: Device) -> Bool {
        switch (a, b) {
        case (.cpu, .cpu): return true
        case (.cuda(let x), .cuda(let y)): return x === y
        default: return false
        }
    }
}
