// Fuzz target: what `mtmc serve` parses from a request before any image is decoded: the query of POST
// /predict, the Content-Type header and its multipart boundary, and the multipart body. The input is the
// query, a line break, the Content-Type, a line break, then the body.
import Foundation
import RequestParsing

private let maxParts = 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let lines = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
    let query = String(decoding: lines[0], as: UTF8.self)
    if let threshold = (try? PredictQuery(query))?.threshold {
        precondition((0...1).contains(threshold), "threshold \(threshold) outside [0, 1]")
    }
    guard lines.count > 1, let type = try? HeaderParameters(String(decoding: lines[1], as: UTF8.self), header: "Content-Type"),
          let boundary = try? multipartBoundary(type) else { return 0 }
    let body = lines.count > 2 ? Data(lines[2]) : Data()
    guard let files = try? multipartFiles(body, boundary: boundary, maxParts: maxParts) else { return 0 }
    precondition(files.count <= maxParts, "\(files.count) parts past the limit of \(maxParts)")
    var end = body.startIndex
    for file in files {
        // Each part is a slice of the body, after the previous one, and never holds its own delimiter.
        precondition(file.data.startIndex >= end && file.data.endIndex <= body.endIndex, "part outside the body or out of order")
        precondition(file.data.range(of: Data("\r\n--\(boundary)".utf8)) == nil, "a part holds the delimiter")
        end = file.data.endIndex
    }
    return 0
}
