import Foundation
import Hummingbird

/// A refused request: its status and the sentence that names what was wrong, sent as {"error": ...}.
struct ServeError: Error {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var response: Response { jsonResponse(["error": message], status: status) }
}

/// A JSON body with sorted keys (so answers are reproducible byte for byte).
func jsonResponse(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return textResponse(String(decoding: data, as: UTF8.self), type: "application/json", status: status, headers: headers)
}

/// A body of text with its content type.
func textResponse(_ text: String, type: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    var fields = headers
    fields[.contentType] = type
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
