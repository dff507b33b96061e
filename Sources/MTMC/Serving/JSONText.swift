// JSON text written directly, for answers made many times a second (Foundation's `JSONSerialization` casts
// every value dynamically and sorts keys by locale collation, which cost `serve` a fifth of its time).

/// `text` as a JSON string: quoted, with quotes, backslashes and control characters escaped (slashes and
/// non-ASCII characters as they are).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// `value` as a JSON number (the shortest text that reads back as the same Double), or null where JSON has
/// no number: NaN and the infinities.
func jsonNumber(_ value: Double) -> String {
    value.isFinite ? "\(value)" : "null"
}

/// A JSON object of members already written as JSON, in the order given.
func jsonObject(_ members: [(key: String, value: String)]) -> String {
    "{" + members.map { jsonString($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
}

/// A JSON array of values already written as JSON.
func jsonArray(_ values: [String]) -> String {
    "[" + values.joined(separator: ",") + "]"
}
