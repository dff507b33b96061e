import Foundation

/// Contiguous Float32 storage on one device. Tensors share it and copy it on write.
/// Host memory is a pointer the engine's loops read and write; a GPU's memory is a `DeviceAddress` that
/// only its kernels and copies reach. Each is asked for by its own name, so neither stands in for the other.
final class TensorStorage {
    /// Where the elements are: host memory from (and back to) the pool of the context it was made in, or a
    /// GPU's memory.
    enum Memory {
        case host(UnsafeMutablePointer<Float>, HostMemoryPool)
        case device(DeviceAddress, CUDADevice)
    }

    let memory: Memory
    let count: Int
    /// Counts the times a writer was handed this storage (`mutablePointer`, `withUnsafeMutableBufferPointer`),
    /// so that values derived from it (folded weights) can tell whether it changed since.
    private(set) var version = 0
    /// Tensors computed from these contents, kept for reuse until they are next written (a convolution's
    /// Winograd-domain weights in evaluation), by what they were computed as. They live and die with the
    /// storage, and `markWritten` drops them, so a write can never leave one stale.
    var derived: [String: Tensor] = [:]

    /// The tensor kept in `derived` under `kind`, made by `make` and kept the first time it is asked for.
    func kept(_ kind: String, orMake make: () -> Tensor) -> Tensor {
        if let kept = derived[kind] { return kept }
        let made = make()
        derived[kind] = made
        return made
    }

    /// Records that the storage is about to be written.
    func markWritten() {
        version &+= 1
        if !derived.isEmpty { derived = [:] }
    }

    init(uninitializedCount count: Int, device: Device = .cpu) {
        self.count = count
        switch device {
        case .cpu:
            let pool = HostResources.inUse.memory
            memory = .host(pool.take(count), pool)
        case .cuda(let gpu): memory = .device(gpu.allocate(count), gpu)
        }
    }

    var device: Device {
        switch memory {
        case .host: return .cpu
        case .device(_, let gpu): return .cuda(gpu)
        }
    }

    /// The elements in host memory; nil on a device, whose memory the host cannot read.
    var hostElements: UnsafeMutablePointer<Float>? {
        guard case .host(let pointer, _) = memory else { return nil }
        return pointer
    }

    /// The elements' address in a device's memory; nil in host memory.
    var deviceElements: DeviceAddress? {
        guard case .device(let address, _) = memory else { return nil }
        return address
    }

    /// The elements in host memory, for the CPU's kernels. A device tensor goes to the host first
    /// (`Tensor.to(.cpu)`), which says that it copies.
    var pointer: UnsafeMutablePointer<Float> {
        guard let pointer = hostElements else {
            preconditionFailure("a \(device) tensor's elements are not in host memory; copy them to the host with to(.cpu)")
        }
        return pointer
    }

    /// The elements' address in a device's memory, for its kernels.
    var address: DeviceAddress {
        guard let address = deviceElements else {
            preconditionFailure("a cpu tensor has no device address; move it to the device with to(_:)")
        }
        return address
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count, device: device)
        switch memory {
        case .host(let pointer, _): other.pointer.update(from: pointer, count: count)
        case .device(let address, let gpu): gpu.copy(fromDevice: address, toDevice: other.address, count: count)
        }
        return other
    }

    deinit {
        switch memory {
        case .host(let pointer, let pool): pool.give(pointer, count)
        case .device(let address, let gpu): gpu.release(address, count)
        }
    }
}

/// A dense Float32 tensor. Its shape is always PyTorch's (e.g. [N, C, H, W] for images) and every public read
/// gives its elements in that row-major order; how they lie in memory is `layout`, which a backend chooses
/// for the batches it computes (see `ImageLayout`). A value type: copies share storage until one of them is written.
public struct Tensor {
    public private(set) var shape: [Int]
    var storage: TensorStorage
    /// How the elements lie in memory: row-major (`.nchw`) unless a backend computed this batch of images in
    /// its own layout. Only a 4-D tensor is ever in another.
    public private(set) var layout: ImageLayout = .nchw

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Where the elements live.
    public var device: Device { storage.device }
    /// The kernels of that device.
    var backend: any Backend { storage.device.backend }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Float) {
        self.shape = shape
        storage = TensorStorage(repeating: value, count: Tensor.elementCount(shape))
    }

    /// A tensor over the given values; throws when their number does not fit the shape.
    public init(shape: [Int], values: [Float]) throws {
        let n = Tensor.elementCount(shape)
        guard n == values.count else {
            throw EngineError("Tensor: \(values.count) values do not fill shape \(describe(shape)) (\(n) elements)")
        }
        self.shape = shape
        storage = TensorStorage(uninitializedCount: n)
        values.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: n) }
    }

    /// A tensor whose every element the caller will write before reading.
    init(uninitialized shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape))
    }

    /// A tensor on `device` whose every element the caller will write before reading.
    init(uninitialized shape: [Int], device: Device) {
        self.shape = shape
        storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape), device: device)
    }

    static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The same storage under another shape and layout (the caller keeps the element count).
    func viewed(shape: [Int], layout: ImageLayout) -> Tensor {
        var t = self
        t.shape = shape
        t.layout = layout
        return t
    }

    /// The same values on `device` (itself when already there).
    public func to(_ device: Device) -> Tensor {
        if device == self.device { return self }
        var t = Tensor(uninitialized: shape, device: device)
        t.layout = layout
        switch (self.device, device) {
        case (.cpu, .cuda(let gpu)): gpu.copy(from: pointer, toDevice: t.deviceAddress, count: count)
        case (.cuda(let gpu), .cpu): gpu.copy(fromDevice: deviceAddress, to: t.pointer, count: count)
        default: t = to(.cpu).to(device)
        }
        return t
    }

    /// The same values on `device`, without waiting: from the host to a GPU, the copy runs beside the kernels
    /// already queued (pinned staging, a copy stream) and the kernels launched later wait for it. Elsewhere `to`.
    public func prefetched(to device: Device) -> Tensor {
        guard self.device.isCPU, case .cuda(let gpu) = device else { return to(device) }
        var t = Tensor(uninitialized: shape, device: device)
        t.layout = layout
        gpu.copyAhead(from: pointer, to: t.deviceAddress, count: count)
        return t
    }

    /// The elements in PyTorch's row-major order, whatever the layout (copied from the device when not on the CPU).
    public var scalars: [Float] {
        guard device.isCPU, layout == .nchw else { return inLayout(.nchw).to(.cpu).scalars }
        return Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single element of a one-element tensor.
    public var scalar: Float { device.isCPU ? storage.pointer[0] : to(.cpu).scalar }

    /// Reads the elements of a host tensor in row-major order, where they lie (a tensor in another layout from a
    /// row-major copy). A device's memory is not host memory: a device tensor is read through `to(.cpu)` first,
    /// which says that it copies.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(device.isCPU, "a \(device) tensor's elements are not in host memory; read them with to(.cpu)")
        guard layout == .nchw else { return try inLayout(.nchw).withUnsafeBufferPointer(body) }
        return try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the elements of a host tensor in place in row-major order (laying it out so first), copying shared
    /// storage first. A device's memory is not host memory: a device tensor is written through `writingOnHost`,
    /// which says that it copies.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(device.isCPU, "a \(device) tensor's elements are not in host memory; write them with writingOnHost")
        if layout != .nchw { self = inLayout(.nchw) }
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        storage.markWritten()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the elements in place on any device: a device tensor is copied to the host, written there and
    /// copied back (two transfers of the whole tensor); a host tensor is written where it lies.
    public mutating func writingOnHost<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        guard device.isCPU else {
            var host = to(.cpu)
            let result = try host.withUnsafeMutableBufferPointer(body)
            self = host.to(device)
            return result
        }
        return try withUnsafeMutableBufferPointer(body)
    }

    /// Read-only base pointer of a host tensor for the CPU's kernels; valid while this tensor is alive.
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Base pointer of a host tensor for kernels that write; ensures the storage is not shared.
    mutating func mutablePointer() -> UnsafeMutablePointer<Float> {
        prepareForWrite()
        return storage.pointer
    }

    /// Read-only device address of a device tensor for its device's kernels; valid while this tensor is alive.
    var deviceAddress: DeviceAddress { storage.address }

    /// Device address of a device tensor for kernels that write; ensures the storage is not shared.
    mutating func mutableDeviceAddress() -> DeviceAddress {
        prepareForWrite()
        return storage.address
    }

    private mutating func prepareForWrite() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        storage.markWritten()
    }

    /// Where an elementwise pass that reads this tensor may write its result of the same shape: this buffer
    /// when no other tensor shares it (each element read before it is overwritten), else a fresh one.
    /// The caller writes through the result's `pointer`.
    mutating func bufferForOverwrite() -> Tensor {
        guard device.isCPU, isKnownUniquelyReferenced(&storage) else { return Tensor(uninitialized: shape, device: device) }
        storage.markWritten()
        return self
    }

    /// A copy with storage of its own.
    public func copied() -> Tensor {
        var t = self
        t.storage = storage.copy()
        return t
    }

    /// The same elements, in row-major order, under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard Tensor.elementCount(newShape) == count, newShape.allSatisfy({ $0 >= 0 }) else {
            throw EngineError.shapeMismatch("reshape", "element counts differ", shape, newShape)
        }
        var t = inLayout(.nchw)
        t.shape = newShape
        return t
    }

    /// Element at a multi-dimensional index (for tests and small reads; not for hot loops).
    public subscript(index: Int...) -> Float {
        var flat = 0
        for (i, dim) in zip(index, shape) { flat = flat * dim + i }
        return device.isCPU && layout == .nchw ? storage.pointer[flat] : scalars[flat]
    }

    /// Adds `other` elementwise in place (gradient accumulation).
    mutating func addInPlace(_ other: Tensor) { backend.addInPlace(&self, other.inLayout(layout)) }

    /// The first element that is NaN or infinite, if any.
    public var firstNonFinite: Float? { backend.firstNonFinite(self) }

    /// The index of the first of `tensors` (all on one device) holding a NaN or infinity: on a GPU, one
    /// value read back for the whole list, where asking each tensor reads back one per tensor.
    public static func firstNonFinite(in tensors: [Tensor]) -> Int? {
        tensors.first.flatMap { $0.backend.firstNonFiniteTensor(tensors) }
    }

    /// self ← keep·self + (1 − keep)·x, in place on self's device (a step of an exponential moving average).
    public mutating func blend(toward x: Tensor, keep: Float) { backend.blendInPlace(&self, toward: x, keep: keep) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(describe(shape)): \(shown)\(count > 8 ? ", …" : ""))"
    }
}
