import Foundation

/// One file of a multipart/form-data body: the file name the client gave (or the field name) and its bytes.
struct MultipartFile {
    let name: String
    let data: Data
}

/// The parts of a multipart/form-data body (RFC 7578) that carry data, in order. Throws a sentence
/// naming what is malformed.
func multipartFiles(_ body: Data, contentType: String) throws -> [MultipartFile] {
    guard let boundary = parameter("boundary", of: contentType), !boundary.isEmpty else {
        throw ServeError(.badRequest, "multipart/form-data without a boundary parameter")
    }
    let delimiter = Data("--\(boundary)".utf8), separator = Data("\r\n\r\n".utf8)
    guard var start = body.range(of: delimiter)?.upperBound else {
        throw ServeError(.badRequest, "multipart body does not contain its boundary \(boundary)")
    }
    var files: [MultipartFile] = []
    // After each delimiter: "--" ends the body, otherwise CRLF, the part's headers, a blank line, its content.
    while !body[start...].starts(with: Data("--".utf8)) {
        guard let next = body.range(of: delimiter, in: start..<body.endIndex),
              let headerEnd = body.range(of: separator, in: start..<next.lowerBound) else {
            throw ServeError(.badRequest, "multipart part \(files.count + 1) is truncated or has no blank line after its headers")
        }
        let headers = String(decoding: body[start..<headerEnd.lowerBound], as: UTF8.self)
        // The content ends with the CRLF that precedes the next delimiter.
        let contentEnd = max(headerEnd.upperBound, next.lowerBound - 2)
        let disposition = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }.map(String.init) ?? ""
        let name = parameter("filename", of: disposition) ?? parameter("name", of: disposition) ?? "part \(files.count + 1)"
        files.append(MultipartFile(name: name, data: Data(body[headerEnd.upperBound..<contentEnd])))
        start = next.upperBound
    }
    return files
}

/// The value of `name=value` or `name="value"` in a header such as Content-Type or Content-Disposition.
func parameter(_ name: String, of header: String) -> String? {
    for item in header.split(separator: ";").dropFirst() {
        let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, pair[0].lowercased() == name else { continue }
        let value = pair[1]
        return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : value
    }
    return nil
}
