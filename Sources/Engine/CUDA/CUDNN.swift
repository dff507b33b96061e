import Foundation

/// cuDNN (libcudnn.so.9, opened with dlopen from the loader's path or pip's site-packages/nvidia/cudnn/lib,
/// where PyTorch's wheel puts it; $MTMC_CUDNN overrides the path, `off` disables it) doing
/// convolutions forward and backward through its legacy API, on the default stream the kernels run on.
/// FP32 data with CUDNN_FMA_MATH, so no TF32 (the tiled kernels and cuBLAS's default math use none either).
/// Each geometry's descriptors and algorithms are made once, by cuDNN's heuristics (the _v7 queries).
final class CUDNN: DeviceConvolution {
    // Constants of cuDNN 9's headers (cudnn_graph.h): CUDNN_STATUS_SUCCESS = 0, CUDNN_DATA_FLOAT = 0,
    // CUDNN_TENSOR_NCHW = 0, CUDNN_CROSS_CORRELATION = 1, CUDNN_FMA_MATH = 3.
    static let success: Int32 = 0, float: Int32 = 0, nchw: Int32 = 0, crossCorrelation: Int32 = 1, fmaMath: Int32 = 3
    /// Largest workspace an algorithm may ask for: past it, the heuristics' next choice.
    static let workspaceLimit = 1 << 30

    private typealias Status = Int32
    private typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Status
    private typealias SetTensor = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Status
    private typealias SetFilter = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, Int32) -> Status
    private typealias SetConvolution = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Status
    private typealias SetMath = @convention(c) (OpaquePointer?, Int32) -> Status
    /// The three cudnnGetConvolution*Algorithm_v7: handle, four descriptors in the pass's order, count asked, count returned, results.
    private typealias Algorithms = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, Int32,
                                                   UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer) -> Status
    /// The three cudnnConvolution{Forward,BackwardData,BackwardFilter}: handle, alpha, (descriptor, data) twice, convolution,
    /// algorithm, workspace and its bytes, beta, the output's descriptor and data. Alpha and beta are host
    /// pointers; the data and the workspace are device addresses (C's `void *`, 64 bits passed as an integer).
    private typealias Run = @convention(c) (OpaquePointer?, UnsafeRawPointer, OpaquePointer?, UInt64, OpaquePointer?, UInt64,
                                            OpaquePointer?, Int32, UInt64, Int, UnsafeRawPointer, OpaquePointer?, UInt64) -> Status

    private let handle: OpaquePointer?
    private let create: (tensor: Create, filter: Create, convolution: Create)
    private let setTensor: SetTensor
    private let setFilter: SetFilter
    private let setConvolution: SetConvolution
    private let setMath: SetMath
    private let algorithms: [Algorithms]
    private let runs: [Run]
    private let errorString: @convention(c) (Status) -> UnsafePointer<CChar>?
    private let allocate: (Int) throws -> DeviceAddress
    private let release: (DeviceAddress) -> Void
    /// nil for a geometry whose descriptors cuDNN refused.
    private var plans: [ConvolutionDescriptors: Plan?] = [:]
    private var workspace: (address: DeviceAddress?, bytes: Int) = (nil, 0)
    private let lock = NSLock()
    private var counts = (ran: 0, refused: 0)
    let summary: String
    var report: String { lock.withLock { "cuDNN ran \(counts.ran) convolution passes; \(counts.refused) went to mtmc's kernels (no algorithm)" } }

    /// One geometry's cuDNN descriptors and, per pass, the algorithm chosen (nil: none usable).
    private struct Plan {
        let input, output, filter, convolution: OpaquePointer?
        var chosen: [ConvolutionPass: CUDNNAlgorithmPerformance?] = [:]

        /// The descriptors in the order the pass's _v7 query takes them, convolution third:
        /// forward x, w, conv, y; backward data w, dy, conv, dx; backward filter x, dy, conv, dw.
        func descriptors(_ pass: ConvolutionPass) -> [OpaquePointer?] {
            switch pass {
            case .forward: return [input, filter, convolution, output]
            case .backwardData: return [filter, output, convolution, input]
            case .backwardFilter: return [input, output, convolution, filter]
            }
        }
    }

    /// Opens cuDNN and creates a handle on the current context, with device memory for workspaces from
    /// `allocate`; the reason when it cannot.
    static func open(allocate: @escaping (Int) throws -> DeviceAddress,
                     release: @escaping (DeviceAddress) -> Void) -> Result<CUDNN, EngineError> {
        SharedLibrary.open(["libcudnn.so.9"], environment: "MTMC_CUDNN", pipPackages: ["cudnn", "cu13"]).flatMap { library in
            Result { try CUDNN(library, allocate: allocate, release: release) }.mapError { $0 as? EngineError ?? EngineError("\($0)") }
        }
    }

    private init(_ library: SharedLibrary, allocate: @escaping (Int) throws -> DeviceAddress,
                 release: @escaping (DeviceAddress) -> Void) throws {
        let l = library
        errorString = try l.function("cudnnGetErrorString", as: type(of: errorString))
        create = (try l.function("cudnnCreateTensorDescriptor", as: Create.self), try l.function("cudnnCreateFilterDescriptor", as: Create.self),
                  try l.function("cudnnCreateConvolutionDescriptor", as: Create.self))
        setTensor = try l.function("cudnnSetTensor4dDescriptorEx", as: SetTensor.self)
        setFilter = try l.function("cudnnSetFilter4dDescriptor", as: SetFilter.self)
        setConvolution = try l.function("cudnnSetConvolution2dDescriptor", as: SetConvolution.self)
        setMath = try l.function("cudnnSetConvolutionMathType", as: SetMath.self)
        // In ConvolutionPass order.
        algorithms = try ["cudnnGetConvolutionForwardAlgorithm_v7", "cudnnGetConvolutionBackwardDataAlgorithm_v7",
                          "cudnnGetConvolutionBackwardFilterAlgorithm_v7"].map { try l.function($0, as: Algorithms.self) }
        runs = try ["cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter"].map { try l.function($0, as: Run.self) }
        self.allocate = allocate
        self.release = release
        var h: OpaquePointer?
        let status = try l.function("cudnnCreate", as: Create.self)(&h)
        let errors = errorString
        guard status == Self.success else { throw EngineError("cuDNN: cudnnCreate failed: \(errors(status).map { String(cString: $0) } ?? "status \(status)")") }
        handle = h
        let version = try l.function("cudnnGetVersion", as: (@convention(c) () -> Int).self)()
        summary = "cuDNN \(version / 10000).\(version % 10000 / 100).\(version % 100) (\(l.path)): convolutions forward and backward, FP32 (FMA math, no TF32)"
    }

    func run(_ pass: ConvolutionPass, _ problem: ConvolutionDescriptors, _ first: DeviceAddress, _ second: DeviceAddress,
             into output: DeviceAddress) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let ran = runOnce(pass, problem, first, second, into: output)
        if ran { counts.ran += 1 } else { counts.refused += 1 }
        return ran
    }

    private func runOnce(_ pass: ConvolutionPass, _ problem: ConvolutionDescriptors, _ first: DeviceAddress, _ second: DeviceAddress,
                         into output: DeviceAddress) -> Bool {
        let known = plans[problem] ?? makePlan(problem)
        plans[problem] = .some(known)
        guard var plan = known else { return false }
        let chosen = plan.chosen[pass] ?? choose(pass, plan)
        plan.chosen[pass] = chosen
        plans[problem] = plan
        guard let chosen, let workspace = workspaceAddress(bytes: chosen.workspace) else { return false }
        let d = plan.descriptors(pass)
        var (alpha, beta): (Float, Float) = (1, 0)
        let status = runs[pass.rawValue](handle, &alpha, d[0], first.bits, d[1], second.bits, plan.convolution, chosen.algorithm,
                                         workspace?.bits ?? 0, chosen.workspace, &beta, d[3], output.bits)
        guard status == Self.success else {
            plan.chosen[pass] = .some(nil)  // the same failure every time: our kernels from now on
            plans[problem] = .some(plan)
            return false
        }
        return true
    }

    /// Creates and sets the descriptors of `problem`; nil when cuDNN refuses them.
    private func makePlan(_ problem: ConvolutionDescriptors) -> Plan? {
        var x: OpaquePointer?, y: OpaquePointer?, w: OpaquePointer?, c: OpaquePointer?
        let (i, o, f) = (problem.input, problem.output, problem.filter)
        let statuses = [
            create.tensor(&x), create.tensor(&y), create.filter(&w), create.convolution(&c),
            setTensor(x, Self.float, i.sizes[0], i.sizes[1], i.sizes[2], i.sizes[3], i.strides[0], i.strides[1], i.strides[2], i.strides[3]),
            setTensor(y, Self.float, o.sizes[0], o.sizes[1], o.sizes[2], o.sizes[3], o.strides[0], o.strides[1], o.strides[2], o.strides[3]),
            setFilter(w, Self.float, Self.nchw, f[0], f[1], f[2], f[3]),
            setConvolution(c, problem.padding.h, problem.padding.w, problem.stride.h, problem.stride.w, 1, 1, Self.crossCorrelation, Self.float),
            setMath(c, Self.fmaMath),
        ]
        guard statuses.allSatisfy({ $0 == Self.success }) else { return nil }
        return Plan(input: x, output: y, filter: w, convolution: c)
    }

    /// cuDNN's heuristic choice for `pass`: its results best first, the first usable one.
    private func choose(_ pass: ConvolutionPass, _ plan: Plan) -> CUDNNAlgorithmPerformance? {
        let asked = 16
        let results = UnsafeMutableRawPointer.allocate(byteCount: asked * CUDNNAlgorithmPerformance.stride, alignment: 8)
        defer { results.deallocate() }
        var returned: Int32 = 0
        let d = plan.descriptors(pass)
        guard algorithms[pass.rawValue](handle, d[0], d[1], d[2], d[3], Int32(asked), &returned, results) == Self.success else { return nil }
        let rows = (0..<Int(min(returned, Int32(asked)))).map { CUDNNAlgorithmPerformance(results + $0 * CUDNNAlgorithmPerformance.stride) }
        return CUDNNAlgorithmPerformance.choose(rows, workspaceLimit: Self.workspaceLimit)
    }

    /// A workspace of at least `bytes` (nil address for none); nil when the device has no memory for it.
    private func workspaceAddress(bytes: Int) -> DeviceAddress?? {
        guard bytes > workspace.bytes else { return .some(workspace.address) }
        if let old = workspace.address { release(old) }
        workspace = (nil, 0)
        guard let address = try? allocate(bytes) else { return nil }
        workspace = (address, bytes)
        return .some(address)
    }
}
