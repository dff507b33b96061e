/// The parameters of a URL's query (`a=1&b=2`), percent-decoded strictly: an escape that is not `%` and two
/// hex digits, a name or value that is not UTF-8, a name given twice, or a name not in `known`, is refused
/// with the parameter named. `+` stays a plus sign (only HTML form bodies use it for a space).
public func queryParameters(_ query: String?, known: [String]) throws -> [String: String] {
    guard let query else { return [:] }
    var parameters: [String: String] = [:]
    for item in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
        let pair = item.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
        let name = try percentDecoded(Array(pair[0]), in: "query parameter name \(quoted(String(decoding: pair[0], as: UTF8.self)))")
        guard known.contains(name) else {
            throw RequestFormatError("unknown query parameter \(quoted(name)): known are \(known.joined(separator: ", "))")
        }
        let value = try percentDecoded(pair.count > 1 ? Array(pair[1]) : [], in: "query parameter \(name)")
        guard parameters.updateValue(value, forKey: name) == nil else {
            throw RequestFormatError("query parameter \(name) is given twice")
        }
    }
    return parameters
}

/// `bytes` with every `%XX` replaced by its byte, as UTF-8 text; `what` names the text in errors.
private func percentDecoded(_ bytes: [UInt8], in what: String) throws -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        index += 1
        guard byte == UInt8(ascii: "%") else {
            out.append(byte)
            continue
        }
        guard index + 2 <= bytes.count, let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else {
            throw RequestFormatError("\(what) has a % not followed by two hex digits")
        }
        out.append(high << 4 | low)
        index += 2
    }
    guard let text = String(validating: out, as: UTF8.self) else { throw RequestFormatError("\(what) is not UTF-8 once decoded") }
    return text
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
