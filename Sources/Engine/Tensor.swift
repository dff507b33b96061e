import Foundation

/// Contiguous Float32 storage on one device. Tensors share it and copy it on write.
/// On the CPU `pointer` is host memory; a device backend keeps its own address here.
final class TensorStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    let device: Device

    init(uninitializedCount count: Int, device: Device = .cpu) {
        self.count = count
        self.device = device
        pointer = StoragePool.take(count)
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count, device: device)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    deinit { StoragePool.give(pointer, count) }
}

/// Recycles freed tensor buffers by exact size. Training repeats the same shapes every step, so
/// after the first step buffers come back warm instead of as fresh pages from the kernel
/// (large mallocs are mmap'd and page-faulted anew on every use).
enum StoragePool {
    nonisolated(unsafe) private static var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    nonisolated(unsafe) private static var cachedFloats = 0
    private static let lock = NSLock()
    /// Buffers smaller than this go straight to malloc, which recycles them well itself.
    private static let minimumPooled = 1 << 14
    /// At most this many floats (1 GiB) are kept for reuse.
    private static let capacity = 1 << 28

    static func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count >= minimumPooled {
            lock.lock()
            defer { lock.unlock() }
            if let pointer = free[count]?.popLast() {
                cachedFloats -= count
                return pointer
            }
        }
        return .allocate(capacity: max(count, 1))
    }

    static func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= minimumPooled && count <= capacity {
            lock.lock()
            defer { lock.unlock() }
            if cachedFloats + count > capacity { release() }
            free[count, default: []].append(pointer)
            cachedFloats += count
            return
        }
        pointer.deallocate()
    }

    /// Frees every cached buffer (called with the lock held).
    private static func release() {
        for pointers in free.values { pointers.forEach { $0.deallocate() } }
        free.removeAll(keepingCapacity: true)
        cachedFloats = 0
    }
}

/// A dense Float32 tensor in row-major (PyTorch contiguous) layout, e.g. NCHW for images.
/// A value type: copies share storage until one of them is written.
public struct Tensor {
    public private(set) var shape: [Int]
    var storage: TensorStorage

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

    static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var scalar: Float { storage.pointer[0] }

    /// Reads the elements without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the elements in place, copying shared storage first.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Read-only base pointer for kernels; valid while this tensor is alive.
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Base pointer for kernels that write; ensures the storage is not shared.
    mutating func mutablePointer() -> UnsafeMutablePointer<Float> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage.pointer
    }

    /// A copy with storage of its own.
    public func copied() -> Tensor {
        var t = self
        t.storage = storage.copy()
        return t
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard Tensor.elementCount(newShape) == count, newShape.allSatisfy({ $0 >= 0 }) else {
            throw EngineError.shapeMismatch("reshape", "element counts differ", shape, newShape)
        }
        var t = self
        t.shape = newShape
        return t
    }

    /// Element at a multi-dimensional index (for tests and small reads; not for hot loops).
    public subscript(index: Int...) -> Float {
        var flat = 0
        for (i, dim) in zip(index, shape) { flat = flat * dim + i }
        return storage.pointer[flat]
    }

    /// Adds `other` elementwise in place (gradient accumulation).
    mutating func addInPlace(_ other: Tensor) { backend.addInPlace(&self, other) }

    /// The first element that is NaN or infinite, if any.
    public var firstNonFinite: Float? { backend.firstNonFinite(self) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(describe(shape)): \(shown)\(count > 8 ? ", …" : ""))"
    }
}
