/// Work stopped by the user (Ctrl-C): what was done when it stopped.
public struct Cancelled: Error, CustomStringConvertible {
    public let what: String
    public var description: String { what }
}
