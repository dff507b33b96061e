/// A header value of the form `value; name=token; name="quoted string"` (Content-Type, Content-Disposition),
/// parsed strictly (RFC 9110 §5.6): a byte outside the grammar is refused, never skipped.
public struct HeaderParameters: Equatable {
    /// What precedes the first `;`, lowercased: a media type such as `image/jpeg`, or `form-data`.
    public let value: String
    /// Parameter names lowercased, values unquoted.
    public let parameters: [String: String]

    /// Parses `text`; `header` names the header in errors.
    public init(_ text: String, header: String) throws {
        var scanner = ByteScanner(Array(text.utf8))
        scanner.skipWhitespace()
        let value = scanner.take { isToken($0) || $0 == UInt8(ascii: "/") }
        guard !value.isEmpty else { throw RequestFormatError("\(header) \(quoted(text)) does not start with a value") }
        var parameters: [String: String] = [:]
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            guard scanner.consume(UInt8(ascii: ";")) else {
                throw RequestFormatError("\(header) \(quoted(text)) has unexpected bytes after \(quoted(value)) at byte \(scanner.offset + 1)")
            }
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            let start = scanner.offset
            let name = scanner.take(while: isToken).lowercased()
            guard !name.isEmpty, scanner.consume(UInt8(ascii: "=")) else {
                throw RequestFormatError("\(header) \(quoted(text)) has a parameter without name=value at byte \(start + 1)")
            }
            let parameter = try Self.parameterValue(&scanner, header: header, name: name)
            guard parameters.updateValue(parameter, forKey: name) == nil else {
                throw RequestFormatError("\(header) \(quoted(text)) names parameter \(name) twice")
            }
        }
        self.value = value.lowercased()
        self.parameters = parameters
    }

    private static func parameterValue(_ scanner: inout ByteScanner, header: String, name: String) throws -> String {
        guard scanner.consume(UInt8(ascii: "\"")) else {
            let token = scanner.take(while: isToken)
            guard !token.isEmpty else { throw RequestFormatError("\(header) parameter \(name) has no value") }
            return token
        }
        var bytes: [UInt8] = []
        while let byte = scanner.next() {
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw RequestFormatError("\(header) parameter \(name) is not UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = scanner.next(), isQuotedText(escaped) else { break }
                bytes.append(escaped)
                continue
            case let byte where isQuotedText(byte):
                bytes.append(byte)
                continue
            default:
                break
            }
            throw RequestFormatError("\(header) parameter \(name) holds byte \(hex(byte)), not allowed in a quoted string")
        }
        throw RequestFormatError("\(header) parameter \(name) has no closing quote")
    }
}

/// RFC 9110 tchar.
func isToken(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
    default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }
}

/// What a quoted string may hold: tab, visible ASCII and any byte of a UTF-8 sequence (obs-text).
private func isQuotedText(_ byte: UInt8) -> Bool {
    byte == 0x09 || (0x20...0x7E).contains(byte) || byte >= 0x80
}

/// A value shown in an error: quoted, with control bytes escaped so that no message can break a line or a log.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"", "\\": out += "\\" + String(scalar)
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u00" + hex(UInt8(scalar.value)).dropFirst(2)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
}
