import ArgumentParser
import Foundation
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
    var host = "127.0.0.1"

    @Option(help: "Port (0: any free port, named in the startup line).")
    var port = 8080

    @Option(help: "Engine threads for inference (default: the processor count).")
    var threads: Int?

    @Option(help: "Most images in one forward pass.")
    var maxBatch = 32

    @Option(help: "Largest request body in bytes.")
    var maxBytes = 20 << 20

    @Option(help: "Largest image in pixels (width × height), checked from its header.")
    var maxPixels = 40_000_000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not a port (0–65535)") }
        guard (1...4096).contains(maxBatch) else { throw ValidationError("--max-batch \(maxBatch) is out of range (1–4096)") }
        guard maxBytes > 0 else { throw ValidationError("--max-bytes \(maxBytes) must be positive") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels \(maxPixels) must be positive") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads \(threads) is out of range (1–256)") }
    }

    func run() throws {
        var options = ServeOptions()
        options.host = host
        options.port = port
        if let threads { options.threads = threads }
        options.maxBatch = maxBatch
        options.maxBytes = maxBytes
        options.maxPixels = maxPixels
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
