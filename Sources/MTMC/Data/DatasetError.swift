/// A structural problem with a dataset tree (missing folders, mismatched classes): names the path and what is wrong.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
