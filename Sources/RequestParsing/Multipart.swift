import Foundation

/// One part of a multipart/form-data body: the file name the client gave (or the field name) and its bytes
/// (a slice of the body: no copy).
public struct MultipartFile: Equatable {
    public let name: String
    public let data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }
}

/// The boundary a multipart/form-data Content-Type names: 1 to 70 of the characters RFC 2046 allows.
public func multipartBoundary(_ contentType: HeaderParameters) throws -> String {
    guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
        throw RequestFormatError("multipart/form-data without a boundary parameter")
    }
    let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
    guard boundary.utf8.count <= 70, boundary.utf8.allSatisfy(allowed.contains), boundary.last != " " else {
        throw RequestFormatError("multipart boundary \(quoted(boundary)) is not 1 to 70 of the characters RFC 2046 allows")
    }
    return boundary
}

/// The parts of a multipart/form-data body (RFC 7578, RFC 2046 §5.1.1), in order, found in one pass: each
/// delimiter is searched for once, from the end of the previous one, so the cost is linear in the body's
/// length. A body of more than `maxParts` parts is refused as too
/// large as soon as the part after the last allowed one is found. Throws a sentence naming what is malformed.
public func multipartFiles(_ body: Data, boundary: String, maxParts: Int) throws -> [MultipartFile] {
    let parts = try body.withUnsafeBytes { bytes in
        try MultipartScanner(bytes: bytes, boundary: boundary).parts(maxParts: maxParts)
    }
    return parts.map { part in
        MultipartFile(name: part.name, data: body[body.startIndex + part.content.lowerBound ..< body.startIndex + part.content.upperBound])
    }
}

/// The scan behind `multipartFiles`, over the body's bytes.
private struct MultipartScanner {
    let bytes: UnsafeRawBufferPointer
    /// CRLF, "--", the boundary: what precedes every part and ends the last one.
    let delimiter: [UInt8]

    init(bytes: UnsafeRawBufferPointer, boundary: String) {
        self.bytes = bytes
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    func parts(maxParts: Int) throws -> [(name: String, content: Range<Int>)] {
        // The first delimiter may open the body, without the CRLF; a preamble before it is ignored.
        var position: Int
        if starts(with: Array(delimiter.dropFirst(2)), at: 0) {
            position = delimiter.count - 2
        } else if let first = find(delimiter, from: 0, before: bytes.count) {
            position = first + delimiter.count
        } else {
            throw RequestFormatError("multipart body does not contain its boundary \(String(decoding: delimiter.dropFirst(4), as: UTF8.self))")
        }
        var parts: [(name: String, content: Range<Int>)] = []
        // After each delimiter: "--" ends the body; otherwise optional padding, CRLF, the part's headers, a
        // blank line, its content, and the next delimiter.
        while !starts(with: Array("--".utf8), at: position) {
            let number = parts.count + 1
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
            guard starts(with: [0x0D, 0x0A], at: position) else {
                throw RequestFormatError("multipart boundary before part \(number) is followed by bytes other than a line break")
            }
            position += 2
            guard let next = find(delimiter, from: position, before: bytes.count) else {
                throw RequestFormatError("multipart part \(number) is truncated: no boundary after it")
            }
            guard parts.count < maxParts else {
                throw RequestFormatError(.tooLarge, "multipart body has more than \(maxParts) parts")
            }
            let (headers, contentStart) = try headerBlock(from: position, to: next, part: number)
            parts.append((try partName(headers, part: number), contentStart..<next))
            position = next + delimiter.count
        }
        return parts
    }

    /// The part's header lines and where its content starts: after the blank line that ends the headers.
    private func headerBlock(from start: Int, to end: Int, part: Int) throws -> ([Substring], Int) {
        if starts(with: [0x0D, 0x0A], at: start), start + 2 <= end { return ([], start + 2) }
        guard let blank = find(Array("\r\n\r\n".utf8), from: start, before: end) else {
            throw RequestFormatError("multipart part \(part) has no blank line after its headers")
        }
        guard let text = String(validating: bytes[start..<blank], as: UTF8.self) else {
            throw RequestFormatError("multipart part \(part) has headers that are not UTF-8")
        }
        return (text.split(separator: "\r\n", omittingEmptySubsequences: false), blank + 4)
    }

    /// The part's file name, else its field name, else "part N".
    private func partName(_ headers: [Substring], part: Int) throws -> String {
        for line in headers {
            guard let colon = line.firstIndex(of: ":") else {
                throw RequestFormatError("multipart part \(part) has a header line without a colon: \(quoted(String(line.prefix(80))))")
            }
            guard line[..<colon].lowercased() == "content-disposition" else { continue }
            let disposition = try HeaderParameters(String(line[line.index(after: colon)...]), header: "Content-Disposition of multipart part \(part)")
            return disposition.parameters["filename"] ?? disposition.parameters["name"] ?? "part \(part)"
        }
        return "part \(part)"
    }

    private func starts(with pattern: [UInt8], at position: Int) -> Bool {
        guard position + pattern.count <= bytes.count, let base = bytes.baseAddress else { return false }
        return pattern.withUnsafeBytes { memcmp(base + position, $0.baseAddress!, pattern.count) == 0 }
    }

    /// Where `pattern` first occurs wholly inside position..<end: memchr finds each candidate first byte,
    /// memcmp compares the rest, so each byte is looked at no more than `pattern.count` times (the
    /// delimiter is at most 74 bytes).
    private func find(_ pattern: [UInt8], from position: Int, before end: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = pattern.first else { return nil }
        let last = end - pattern.count
        var at = position
        return pattern.withUnsafeBytes { needle in
            while at <= last {
                guard let hit = memchr(base + at, Int32(first), last - at + 1) else { return nil }
                at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return at }
                at += 1
            }
            return nil
        }
    }
}
