/// A command that could not do its work: the message says what and why; the session goes on unchanged.
public struct CommandError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
