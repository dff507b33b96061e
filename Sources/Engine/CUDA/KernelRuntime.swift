/// What the CUDA backend needs of a device: memory, copies, and launches of the kernels in
/// CUDA/Kernels by name. The driver runtime (`CUDADriverRuntime`) runs them on a GPU; the parity
/// tests give the same backend a runtime that runs the same kernel source compiled for the host.
protocol KernelRuntime: AnyObject {
    /// Lines for `info`: the device, its memory, and the libraries in use.
    var summary: [String] { get }
    /// A vendor GEMM for the backend's matrix products, when the runtime has one (cuBLAS).
    var blas: DeviceBLAS? { get }
    /// A vendor convolution for the backend's convolutions, when the runtime has one (cuDNN).
    var convolution: DeviceConvolution? { get }
    /// Device memory for `bytes`; throws when the device has none left.
    func allocate(bytes: Int) throws -> DeviceAddress
    func free(_ address: DeviceAddress)
    /// Copies host memory to the device; kernels launched afterwards see the bytes.
    func copy(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int)
    /// Copies device memory to the host, once the kernels launched before have run.
    func copy(fromDevice source: DeviceAddress, to destination: UnsafeMutableRawPointer, bytes: Int)
    /// Copies within the device, in order with the kernels.
    func copy(fromDevice source: DeviceAddress, toDevice destination: DeviceAddress, bytes: Int)
    /// Starts a host-to-device copy and returns without waiting for it or for the kernels before it; kernels
    /// launched and copies made afterwards see the bytes; `source` may be reused at once.
    func copyAhead(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int)
    /// Launches `kernel` on grid × block threads; `arguments` as cuLaunchKernel takes them (one pointer per
    /// parameter, to its value). Kernels run in launch order; a copy to the host waits for them.
    func launch(_ kernel: String, grid: (Int, Int, Int), block: (Int, Int, Int), arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>)
}

/// One kernel parameter: a device address (nil: a null pointer), an `int` or a `float` (the only types the
/// kernels take). A host pointer is none of these: a kernel cannot be handed host memory.
enum KernelArgument {
    case address(DeviceAddress?)
    case int(Int)
    case float(Float)

    /// The value as the kernel's parameter bytes, in the low end of a 64-bit slot (little-endian).
    var slot: UInt64 {
        switch self {
        case .address(let a): return a?.bits ?? 0
        case .int(let i): return UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: i)))
        case .float(let f): return UInt64(f.bitPattern)
        }
    }
}

extension KernelRuntime {
    /// Launches with the arguments packed as cuLaunchKernel wants them.
    func launch(_ kernel: String, grid: (Int, Int, Int), block: (Int, Int, Int), _ arguments: [KernelArgument]) {
        var slots = arguments.map(\.slot)
        slots.withUnsafeMutableBufferPointer { values in
            var pointers = (0..<values.count).map { UnsafeMutableRawPointer(values.baseAddress! + $0) as UnsafeMutableRawPointer? }
            pointers.withUnsafeMutableBufferPointer { launch(kernel, grid: grid, block: block, arguments: $0.baseAddress!) }
        }
    }
}
