import ArgumentParser
import Foundation
import MTMC
import Serve

/// `mtmc serve`: the HTTP prediction server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer predictions over HTTP: POST /predict, GET /model, /health, /metrics, / (upload page), POST /reload.",
        discussion: "Loads the checkpoint once. Concurrent requests are batched. SIGHUP or POST /reload reads the checkpoint file again and swaps it in; requests already accepted finish on the old model.")

    @Option(help: "The checkpoint (.safetensors) written by save.")
    var model: String

    @Option(help: "Address to listen on; anything but loopback lets other machines connect.")
    var host = Defaults.serve.host

    @Option(help: "Port (0: any free port, named in the startup line).")
    var port = Defaults.serve.port

    @Option(help: "Engine threads for inference (default: the processor count).")
    var threads: Int?

    @Option(help: "Most images in one forward pass.")
    var maxBatch = Defaults.serve.maxBatch

    @Option(help: "Largest request body in bytes.")
    var maxBytes = Defaults.serve.maxBytes

    @Option(help: "Largest image in pixels (width × height), checked from its header.")
    var maxPixels = Defaults.serve.maxPixels

    @Option(help: "Most images (multipart parts) in one request.")
    var maxImages = Defaults.serve.maxImages

    @Option(help: "Most pixels decoded for one request, all its images together.")
    var maxRequestPixels = Defaults.serve.maxRequestPixels

    @Option(help: "Bytes that requests in flight may hold together (bodies, decoded images); past it, 503.")
    var maxMemory = Defaults.serve.maxMemory

    @Option(help: "Seconds from a request's first byte to the end of its headers.")
    var headerTimeout = Defaults.serve.headerTimeout

    @Option(help: "Seconds from the end of a request's headers to the end of its body.")
    var bodyTimeout = Defaults.serve.bodyTimeout

    @Option(help: "Seconds an idle connection stays open (after opening and after each answer).")
    var idleTimeout = Defaults.serve.idleTimeout

    @Flag(help: "Print one line per request: method, path, status, bytes, duration.")
    var accessLog = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not a port (0–65535)") }
        guard (1...4096).contains(maxBatch) else { throw ValidationError("--max-batch \(maxBatch) is out of range (1–4096)") }
        guard maxBytes > 0 else { throw ValidationError("--max-bytes \(maxBytes) must be positive") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels \(maxPixels) must be positive") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads \(threads) is out of range (1–256)") }
        guard maxImages > 0 else { throw ValidationError("--max-images \(maxImages) must be positive") }
        guard maxRequestPixels > 0 else { throw ValidationError("--max-request-pixels \(maxRequestPixels) must be positive") }
        guard maxMemory >= maxBytes else { throw ValidationError("--max-memory \(maxMemory) is less than --max-bytes \(maxBytes)") }
        for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)] {
            guard value.isFinite, value > 0, value <= 86_400 else { throw ValidationError("\(name) \(value) is not a number of seconds from 0 to 86400") }
        }
    }

    func run() throws {
        var options = ServeOptions()
        options.host = host
        options.port = port
        if let threads { options.threads = threads }
        options.maxBatch = maxBatch
        options.maxBytes = maxBytes
        options.maxPixels = maxPixels
        options.maxImages = maxImages
        options.maxRequestPixels = maxRequestPixels
        options.maxMemory = maxMemory
        options.headerTimeout = headerTimeout
        options.bodyTimeout = bodyTimeout
        options.idleTimeout = idleTimeout
        options.accessLog = accessLog
        do {
            try serve(modelPath: model, options: options) { line in
                print(line)
                fflush(stdout)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
