/// An error thrown by the engine; its message names the operation, tensors and shapes involved.
public struct EngineError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func shapeMismatch(_ op: String, _ detail: String, _ a: [Int], _ b: [Int]) -> EngineError {
        EngineError("\(op): \(detail): \(describe(a)) vs \(describe(b))")
    }
    static func invalid(_ op: String, _ detail: String) -> EngineError {
        EngineError("\(op): \(detail)")
    }
}

/// Formats a shape as PyTorch prints it, e.g. `[64, 3, 32, 32]`.
public func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
