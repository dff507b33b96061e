import Foundation
import XCTest

/// How far two computations of the same float may differ when they take different code paths, batch sizes,
/// thread splits or processors: OpenBLAS picks its kernels per processor and splits products by shape, and
/// each choice rounds differently (a served answer and `mtmc predict`'s differ in the 8th significant digit on
/// some processors). Relative 1e-5 is about a hundred float32 roundings, far below any difference a wrong
/// result makes. A value near zero is rounded relative to the terms summed into it, not to itself, so values
/// within 1e-6 of each other count as equal too.
let floatTolerance = (relative: 1e-5, absolute: 1e-6)

/// Whether two floats agree within `floatTolerance`.
func withinFloatTolerance(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= max(floatTolerance.absolute, floatTolerance.relative * max(abs(a), abs(b)))
}

/// Asserts that two JSON texts are one document up to float rounding: the same keys, strings, booleans, nulls
/// and array lengths, and numbers within `floatTolerance`. Class names, their order and decisions such as
/// the classes above a threshold are strings and lists, so they compare exactly. Names the first difference.
func assertJSONEqualWithinTolerance(_ actual: String, _ expected: String, _ message: @autoclosure () -> String = "",
                                    file: StaticString = #filePath, line: UInt = #line) {
    do {
        let (a, e) = (try JSONValue(actual), try JSONValue(expected))
        if let difference = a.firstDifference(from: e, at: "") {
            XCTFail("\(difference) in\n\(actual)\nexpected\n\(expected)\n\(message())", file: file, line: line)
        }
    } catch {
        XCTFail("not JSON (\(error)):\n\(actual)\nexpected\n\(expected)\n\(message())", file: file, line: line)
    }
}

/// A parsed JSON value; numbers as Double (mtmc writes floats and small counts).
enum JSONValue: Decodable, CustomStringConvertible {
    case object([String: JSONValue]), array([JSONValue]), string(String), number(Double), bool(Bool), null

    init(_ text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() { self = .null }
        else if let b = try? value.decode(Bool.self) { self = .bool(b) }
        else if let n = try? value.decode(Double.self) { self = .number(n) }
        else if let s = try? value.decode(String.self) { self = .string(s) }
        else if let a = try? value.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try value.decode([String: JSONValue].self)) }
    }

    var description: String {
        switch self {
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .string(let s): return "\"\(s)\""
        case .number(let n): return "\(n)"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }

    /// Where and how this value differs from `expected` (numbers within `floatTolerance` agree); nil when it does not.
    func firstDifference(from expected: JSONValue, at path: String) -> String? {
        switch (self, expected) {
        case (.object(let a), .object(let e)):
            guard Set(a.keys) == Set(e.keys) else { return "\(path.isEmpty ? "the top" : path): keys \(a.keys.sorted()), expected \(e.keys.sorted())" }
            return a.keys.sorted().lazy.compactMap { a[$0]!.firstDifference(from: e[$0]!, at: path + "." + $0) }.first
        case (.array(let a), .array(let e)):
            guard a.count == e.count else { return "\(path): \(a.count) elements, expected \(e.count)" }
            return zip(a, e).enumerated().lazy.compactMap { $1.0.firstDifference(from: $1.1, at: path + "[\($0)]") }.first
        case (.number(let a), .number(let e)):
            return withinFloatTolerance(a, e) ? nil : "\(path): \(a), expected \(e) (beyond relative \(floatTolerance.relative))"
        case (.string(let a), .string(let e)) where a == e: return nil
        case (.bool(let a), .bool(let e)) where a == e: return nil
        case (.null, .null): return nil
        default: return "\(path): \(self), expected \(expected)"
        }
    }
}
