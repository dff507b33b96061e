import Foundation

/// Where a command that asks questions (`review`) reads its answers: on a terminal one key at a time, in a
/// script one line per question. The shell provides it; without one every question reads as the end of input.
public struct KeyInput {
    /// The answer to `prompt`: the key pressed, or the next line; nil at the end of input or on Ctrl-C.
    public var key: (_ prompt: String) -> String?
    /// A line typed after `prompt`, Tab completing from `candidates`; nil at the end of input or on Ctrl-C.
    public var line: (_ prompt: String, _ candidates: [String]) -> String?

    public init(key: @escaping (String) -> String? = { _ in nil }, line: @escaping (String, [String]) -> String? = { _, _ in nil }) {
        self.key = key
        self.line = line
    }
}
