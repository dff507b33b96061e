import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A `mtmc serve` started on a free port for a test, stopped by `stop()` (SIGTERM).
final class ServeProcess {
    let process = Process()
    let port: Int
    /// The line the server printed once listening.
    let startupLine: String
    private let output: FileHandle

    /// Starts `mtmc serve --port 0 ARGUMENTS` in `folder` and waits for its startup line.
    init(_ arguments: [String], in folder: String) throws {
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.arguments = ["serve", "--port", "0"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        output = pipe.fileHandleForReading
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = output.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        startupLine = String(text.prefix { $0 != "\n" })
        guard let range = startupLine.range(of: #":[0-9]+,"#, options: .regularExpression),
              let port = Int(startupLine[range].dropFirst().dropLast()) else {
            process.terminate()
            throw ServeDidNotStart(output: text)
        }
        self.port = port
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Stops the server and returns what it printed after its startup line.
    func stopAndReadOutput() -> String {
        stop()
        return String(decoding: output.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Sends a request and waits for the answer: status, headers (lowercased names), body as text.
    func request(_ method: String, _ path: String, body: Data? = nil, type: String? = nil) throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if let type { request.setValue(type, forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: (Data?, URLResponse?, Error?)
        URLSession.shared.dataTask(with: request) { answer = ($0, $1, $2); done.signal() }.resume()
        done.wait()
        if let error = answer.2 { throw error }
        let http = answer.1 as! HTTPURLResponse
        let headers = Dictionary(http.allHeaderFields.map { (String(describing: $0.key).lowercased(), String(describing: $0.value)) }) { a, _ in a }
        return (http.statusCode, headers, String(decoding: answer.0 ?? Data(), as: UTF8.self))
    }
}

/// A multipart/form-data body with one part per file, named as given.
func multipartBody(_ files: [(name: String, data: Data)], boundary: String = "mtmc-test-boundary") -> (body: Data, type: String) {
    var body = Data()
    for file in files {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(file.name)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += file.data + Data("\r\n".utf8)
    }
    body += Data("--\(boundary)--\r\n".utf8)
    return (body, "multipart/form-data; boundary=\(boundary)")
}

struct ServeDidNotStart: Error {
    let output: String
}

/// `sha256sum`'s digest of a file: the hash a server should report for the checkpoint it serves.
func sha256sum(_ path: String) throws -> String {
    let process = Process(), pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    process.standardOutput = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return String(text.prefix(64))
}
