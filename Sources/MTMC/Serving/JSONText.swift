import Engine

// JSON text written directly, for answers made many times a second (Foundation's `JSONSerialization` casts
// every value dynamically and sorts keys by locale collation, which cost `serve` a fifth of its time).

/// `value` as a JSON number: a whole number without a fraction (0, 1, as JSONSerialization writes them), any
/// other the shortest text that reads back as the same Double; null where JSON has no number (NaN, infinities).
func jsonNumber(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
}

/// A JSON object of members already written as JSON, in the order given.
func jsonObject(_ members: [(key: String, value: String)]) -> String {
    "{" + members.map { jsonQuoted($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
}

/// A JSON array of values already written as JSON.
func jsonArray(_ values: [String]) -> String {
    "[" + values.joined(separator: ",") + "]"
}
