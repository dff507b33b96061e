/// A request refused for what the client sent: the sentence that names the value and what is wrong with
/// it, and whether it breaks a size limit (413) or is malformed (400).
public struct RequestFormatError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable {
        case malformed
        case tooLarge
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A malformed value.
    public init(_ message: String) {
        self.init(.malformed, message)
    }

    public var description: String { message }
}
