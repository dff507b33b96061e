import Foundation
import XCTest

/// A TCP connection to a test server on 127.0.0.1 that sends exactly the bytes it is given, so tests can
/// be the slow, partial or old-fashioned clients a URLSession never is.
final class RawConnection {
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socket >= 0, connected == 0 else { throw RawConnectionError(reason: String(cString: strerror(errno))) }
    }

    deinit { close(socket) }

    /// Sends `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        send(Data(text.utf8))
    }

    @discardableResult
    func send(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let n = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Reads until the server closes the connection, or until `limit` seconds pass (a guard against a
    /// hanging test, not a measurement): what was read, and whether the server closed.
    func readToEnd(limit: TimeInterval = 20) -> (text: String, closed: Bool) {
        var received = Data()
        let end = Date(timeIntervalSinceNow: limit)
        while Date() < end {
            switch readSome(waiting: min(0.5, max(0.01, end.timeIntervalSinceNow))) {
            case .data(let data): received += data
            case .closed: return (String(decoding: received, as: UTF8.self), true)
            case .nothing: continue
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads one whole answer (head and, by Content-Length, body), leaving the connection open.
    func readAnswer(limit: TimeInterval = 20) -> String? {
        var received = Data()
        let end = Date(timeIntervalSinceNow: limit)
        while Date() < end {
            let text = String(decoding: received, as: UTF8.self)
            if let head = text.range(of: "\r\n\r\n") {
                let length = text.range(of: #"(?i)content-length: *[0-9]+"#, options: .regularExpression)
                    .flatMap { Int(text[$0].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count >= text.utf8.distance(from: text.startIndex, to: head.upperBound) + length { return text }
            }
            guard case .data(let data) = readSome(waiting: 0.5) else { continue }
            received += data
        }
        return nil
    }

    /// Whether the server has closed the connection, asked without waiting.
    var isClosedByServer: Bool {
        if case .closed = readSome(waiting: 0) { return true }
        return false
    }

    private enum Read { case data(Data), closed, nothing }

    private func readSome(waiting seconds: TimeInterval) -> Read {
        var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) > 0 else { return .nothing }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(socket, &buffer, buffer.count, 0)
        if n > 0 { return .data(Data(buffer[0..<n])) }
        return n == 0 || errno == ECONNRESET ? .closed : .nothing
    }
}

struct RawConnectionError: Error {
    let reason: String
}
