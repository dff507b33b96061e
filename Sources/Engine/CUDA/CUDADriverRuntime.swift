import Foundation

/// The GPU through the CUDA driver API (libcuda.so.1, opened with dlopen; $MTMC_CUDA_DRIVER overrides
/// the path), device 0's primary context, and the kernels compiled by NVRTC for its architecture,
/// cached on disk by source hash, NVRTC version and architecture. cuBLAS, when present ($MTMC_CUBLAS),
/// does the matrix products; cuDNN, when present ($MTMC_CUDNN), the convolutions.
final class CUDADriverRuntime: KernelRuntime {
    private typealias Status = Int32
    private let driver: SharedLibrary
    private let context: OpaquePointer?
    private let module: OpaquePointer?
    private var functions: [String: OpaquePointer] = [:]
    let summary: [String]
    let blas: DeviceBLAS?
    let convolution: DeviceConvolution?
    /// nil when the driver could not make one: copies ahead are then plain copies.
    private var copyStream: CUDACopyStream?

    private let setCurrent: @convention(c) (OpaquePointer?) -> Status
    private let memAlloc: @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Status
    private let memFree: @convention(c) (UInt64) -> Status
    private let copyHtoD: @convention(c) (UInt64, UnsafeRawPointer, Int) -> Status
    private let copyDtoH: @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Status
    private let copyDtoD: @convention(c) (UInt64, UInt64, Int) -> Status
    private let getFunction: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> Status
    private let launchKernel: @convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
                                              UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status
    private let errorString: @convention(c) (Status, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Status

    init() throws {
        driver = try SharedLibrary.open(["libcuda.so.1"], environment: "MTMC_CUDA_DRIVER").get()
        let d = driver
        setCurrent = try d.function("cuCtxSetCurrent", as: type(of: setCurrent))
        memAlloc = try d.function("cuMemAlloc_v2", as: type(of: memAlloc))
        memFree = try d.function("cuMemFree_v2", as: type(of: memFree))
        copyHtoD = try d.function("cuMemcpyHtoD_v2", as: type(of: copyHtoD))
        copyDtoH = try d.function("cuMemcpyDtoH_v2", as: type(of: copyDtoH))
        copyDtoD = try d.function("cuMemcpyDtoD_v2", as: type(of: copyDtoD))
        getFunction = try d.function("cuModuleGetFunction", as: type(of: getFunction))
        launchKernel = try d.function("cuLaunchKernel", as: type(of: launchKernel))
        errorString = try d.function("cuGetErrorString", as: type(of: errorString))
        let cuInit = try d.function("cuInit", as: (@convention(c) (UInt32) -> Status).self)
        try Self.check(cuInit(0), "cuInit (is an NVIDIA GPU and its driver present?)", errorString)
        let device = try DeviceQuery(d, errorString)
        var ctx: OpaquePointer?
        let retain = try d.function("cuDevicePrimaryCtxRetain", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32) -> Status).self)
        try Self.check(retain(&ctx, device.ordinal), "cuDevicePrimaryCtxRetain", errorString)
        context = ctx
        try Self.check(setCurrent(ctx), "cuCtxSetCurrent", errorString)
        let architecture = "sm_\(device.capability.0)\(device.capability.1)"
        let (image, origin) = try Self.kernelImage(architecture: architecture)
        var loaded: OpaquePointer?
        let loadData = try d.function("cuModuleLoadData", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer) -> Status).self)
        let errors = errorString
        try image.withUnsafeBytes { try Self.check(loadData(&loaded, $0.baseAddress!), "cuModuleLoadData (\(architecture))", errors) }
        module = loaded
        let cublas = CUBLAS.open()
        blas = try? cublas.get()
        // cuDNN's workspaces are the driver's memory, from the functions themselves (no reference back to self);
        // an outgrown one is freed once the kernels queued with it are done.
        let (current, alloc, release) = (setCurrent, memAlloc, memFree)
        let synchronize = try d.function("cuCtxSynchronize", as: (@convention(c) () -> Status).self)
        let cudnn = CUDNN.open(allocate: { [ctx] bytes in
            var address: UInt64 = 0
            guard current(ctx) == 0, alloc(&address, bytes) == 0 else { throw EngineError("CUDA: no device memory for a cuDNN workspace of \(bytes) bytes") }
            return DeviceAddress(bits: address)
        }, release: { _ = synchronize(); _ = release($0.bits) })
        summary = device.lines + [origin, blas?.summary ?? "cuBLAS: not in use (\(cublas.failureReason)); mtmc's tiled GEMM kernel",
                                  (try? cudnn.get())?.summary ?? "cuDNN: not in use (\(cudnn.failureReason)); convolutions by im2col and GEMM"]
        convolution = try? cudnn.get()
        copyStream = try? CUDACopyStream(d, must: { [errors] status, what in
            do { try Self.check(status, what, errors) } catch { fatalError("\(error)") }
        })
    }

    /// The cubin for `architecture` from the kernel cache (compiled by NVRTC on a miss) and where it came from.
    private static func kernelImage(architecture: String) throws -> (image: Data, origin: String) {
        guard let folder = CUDAKernelSource.folder() else {
            throw EngineError("CUDA kernel sources not found (mtmc_Engine.resources/Kernels beside the executable); set $MTMC_CUDA_KERNELS to Sources/Engine/CUDA/Kernels")
        }
        return try CUDAKernelCache.standard.image(source: try CUDAKernelSource.program(in: folder), architecture: architecture, nvrtc: NVRTC.load())
    }

    private static func check(_ status: Status, _ what: String,
                              _ errorString: @convention(c) (Status, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Status) throws {
        guard status != 0 else { return }
        var text: UnsafePointer<CChar>?
        _ = errorString(status, &text)
        throw EngineError("CUDA: \(what) failed: \(text.map { String(cString: $0) } ?? "error \(status)")")
    }

    /// A driver failure mid-step (an illegal address, a lost device) leaves nothing to recover.
    private func must(_ status: Status, _ what: String) {
        do { try Self.check(status, what, errorString) } catch { fatalError("\(error)") }
    }

    func allocate(bytes: Int) throws -> DeviceAddress {
        must(setCurrent(context), "cuCtxSetCurrent")
        var address: UInt64 = 0
        try Self.check(memAlloc(&address, bytes), "cuMemAlloc of \(bytes) bytes", errorString)
        return DeviceAddress(bits: address)
    }

    func free(_ address: DeviceAddress) {
        must(memFree(address.bits), "cuMemFree")
    }

    func copy(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int) {
        must(setCurrent(context), "cuCtxSetCurrent")
        must(copyHtoD(destination.bits, source, bytes), "cuMemcpyHtoD")
    }

    func copy(fromDevice source: DeviceAddress, to destination: UnsafeMutableRawPointer, bytes: Int) {
        must(setCurrent(context), "cuCtxSetCurrent")
        must(copyDtoH(destination, source.bits, bytes), "cuMemcpyDtoH")
    }

    func copy(fromDevice source: DeviceAddress, toDevice destination: DeviceAddress, bytes: Int) {
        must(setCurrent(context), "cuCtxSetCurrent")
        must(copyDtoD(destination.bits, source.bits, bytes), "cuMemcpyDtoD")
    }

    func copyAhead(from source: UnsafeRawPointer, toDevice destination: DeviceAddress, bytes: Int) {
        guard let copyStream else { return copy(from: source, toDevice: destination, bytes: bytes) }
        must(setCurrent(context), "cuCtxSetCurrent")
        copyStream.copy(from: source, to: destination, bytes: bytes)
    }

    func launch(_ kernel: String, grid: (Int, Int, Int), block: (Int, Int, Int), arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        must(setCurrent(context), "cuCtxSetCurrent")
        let function = functions[kernel] ?? {
            var f: OpaquePointer?
            must(getFunction(&f, module, kernel), "cuModuleGetFunction \(kernel)")
            functions[kernel] = f!
            return f!
        }()
        must(launchKernel(function, UInt32(grid.0), UInt32(grid.1), UInt32(grid.2), UInt32(block.0), UInt32(block.1), UInt32(block.2),
                          0, nil, arguments, nil), "launch of \(kernel)")
    }
}

/// Device 0: its name, compute capability, memory and the driver's version.
private struct DeviceQuery {
    let ordinal: Int32 = 0
    let capability: (Int, Int)
    let lines: [String]

    init(_ d: SharedLibrary, _ errorString: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32) throws {
        let count = try d.function("cuDeviceGetCount", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32).self)
        var devices: Int32 = 0
        guard count(&devices) == 0, devices > 0 else { throw EngineError("CUDA: the driver sees no GPU") }
        let attribute = try d.function("cuDeviceGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32).self)
        var major: Int32 = 0, minor: Int32 = 0
        _ = attribute(&major, 75, ordinal)
        _ = attribute(&minor, 76, ordinal)
        capability = (Int(major), Int(minor))
        let name = try d.function("cuDeviceGetName", as: (@convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32).self)
        var text = [CChar](repeating: 0, count: 256)
        _ = name(&text, 255, ordinal)
        let memory = try d.function("cuDeviceTotalMem_v2", as: (@convention(c) (UnsafeMutablePointer<Int>, Int32) -> Int32).self)
        var bytes = 0
        _ = memory(&bytes, ordinal)
        let version = try d.function("cuDriverGetVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32).self)
        var driverVersion: Int32 = 0
        _ = version(&driverVersion)
        lines = [
            "GPU 0: \(String(cString: text)), compute capability \(major).\(minor), \(String(format: "%.1f", Double(bytes) / 1_073_741_824)) GiB",
            "CUDA driver API \(driverVersion / 1000).\(driverVersion % 1000 / 10) (\(d.path))",
        ]
    }
}
