/// What POST /predict reads from its query: `threshold` (a calibrated confidence in [0, 1]; nil when the query
/// has none, and the server applies its default) and `name` (what a lone image is called in the answer). Each value is read whole: a value with a
/// trailing byte that is not part of it (a NUL, a space, junk) is refused, naming the parameter.
public struct PredictQuery: Equatable {
    public static let names = ["threshold", "name"]

    public var threshold: Double?
    public var name: String?

    public init(_ query: String?) throws {
        let parameters = try queryParameters(query, known: Self.names)
        if let text = parameters["threshold"] {
            guard isDecimalNumber(text), let value = Double(text), (0...1).contains(value) else {
                throw RequestFormatError("threshold \(shown(text)) is not a number from 0 to 1")
            }
            threshold = value
        }
        if let name = parameters["name"] {
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw RequestFormatError("name \(quoted(name)) is empty or holds a control character")
            }
            self.name = name
        }
    }
}

/// Digits with at most one decimal point and an optional exponent: what Double(_:) reads in full. (Double
/// alone stops at a NUL and reads "0.5\0junk" as 0.5.)
func isDecimalNumber(_ text: String) -> Bool {
    var scanner = ByteScanner(Array(text.utf8))
    let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    let whole = scanner.take(while: isDigit)
    let fraction = scanner.consume(UInt8(ascii: ".")) ? scanner.take(while: isDigit) : ""
    guard !whole.isEmpty || !fraction.isEmpty else { return false }
    if scanner.consume(UInt8(ascii: "e")) || scanner.consume(UInt8(ascii: "E")) {
        _ = scanner.consume(UInt8(ascii: "+")) || scanner.consume(UInt8(ascii: "-"))
        guard !scanner.take(while: isDigit).isEmpty else { return false }
    }
    return scanner.atEnd
}

/// A value in an error message: as it is when it is plain visible text, quoted and escaped otherwise.
func shown(_ text: String) -> String {
    let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
    return plain ? text : quoted(text)
}
