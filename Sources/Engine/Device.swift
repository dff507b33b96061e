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

/// How a batch of images is laid out in memory.
public enum ImageLayout: Equatable {
    /// [N, C, H, W], PyTorch's contiguous layout: each image's channels together.
    case nchw
    /// [C, N, H, W], channel-major: each channel's planes of the whole batch together. A convolution's
    /// GEMM produces and consumes this layout directly, and batch norm reads each channel as one block,
    /// so a backbone run in it never reorders its activations.
    case cnhw

    /// Batch size and channel count of a 4-D shape in this layout.
    func batchAndChannels(_ shape: [Int]) -> (batch: Int, channels: Int) {
        self == .nchw ? (shape[0], shape[1]) : (shape[1], shape[0])
    }
}
