import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import MTMC
import RequestParsing
import Vision

/// POST /predict: one image as the body, or several as multipart/form-data; the answer per image is
/// `mtmc predict --json`'s object (the same rendering code, in MTMC), an array for a multipart request.
/// What one request may cost is bounded by the options: its bytes, its images, the pixels they decode
/// to, and (with every other request in flight) --max-memory.
struct PredictEndpoint: Sendable {
    let batcher: PredictionBatcher
    let options: ServeOptions
    let budget: MemoryBudget

    init(batcher: PredictionBatcher, options: ServeOptions, metrics: ServeMetrics) {
        self.batcher = batcher
        self.options = options
        budget = MemoryBudget(options.maxMemory) { metrics.heldBytes.set(to: Double($0)) }
    }

    static let imageTypes = ["image/jpeg", "image/png", "application/octet-stream"]

    func answer(_ request: Request) async -> Response {
        do {
            let query = try PredictQuery(request.uri.query)
            let type = try request.headers[.contentType].map { try HeaderParameters($0, header: "Content-Type") }
            let multipart = type?.value == "multipart/form-data"
            guard multipart || type == nil || Self.imageTypes.contains(type!.value) else {
                throw ServeError(.unsupportedMediaType,
                                 "content type \(type!.value) is not accepted: send image/jpeg, image/png, application/octet-stream or multipart/form-data")
            }
            let boundary = try type.flatMap { multipart ? try multipartBoundary($0) : nil }
            let body = try await collect(request)
            defer { budget.release(body.count) }
            let files = try boundary.map { try parts(of: body, boundary: $0) }
                ?? [MultipartFile(name: query.name ?? "upload", data: body)]
            guard !files.isEmpty else { throw ServeError(.badRequest, "multipart body has no parts: add at least one image") }
            let (model, scores) = try await predict(files)
            var report = PredictionReport()
            report.calibrated = !model.calibration.isEmpty
            report.backbonePasses = model.backbonePasses
            report.results = zip(files, scores).map { ($0.name, $1) }
            let lines = report.jsonLines(threshold: query.threshold ?? Defaults.threshold)
            let text = multipart ? "[" + lines.joined(separator: ",") + "]" : lines[0]
            return textResponse(text, type: "application/json", headers: [HTTPField.Name("X-Model-SHA256")!: model.sha256])
        } catch let error as ServeError {
            return error.response
        } catch let error as RequestFormatError {
            return ServeError(error.kind == .tooLarge ? .contentTooLarge : .badRequest, error.message).response
        } catch {
            return ServeError(.internalServerError, "prediction failed: \(error)").response
        }
    }

    /// The parts of a multipart body, at most --max-images of them.
    private func parts(of body: Data, boundary: String) throws -> [MultipartFile] {
        do { return try multipartFiles(body, boundary: boundary, maxParts: options.maxImages) } catch let error as RequestFormatError where error.kind == .tooLarge {
            throw ServeError(.contentTooLarge, "\(error.message): at most --max-images \(options.maxImages) images per request")
        }
    }

    private var busy: ServeError {
        ServeError(.serviceUnavailable, "busy: requests in flight hold --max-memory \(options.maxMemory) bytes; try again shortly")
    }

    /// The whole body, refused past --max-bytes and when empty. Its bytes are taken from the budget as they
    /// arrive; the caller releases `count` of them.
    private func collect(_ request: Request) async throws -> Data {
        var body = Data()
        do {
            if let length = request.headers[.contentLength].flatMap(Int.init) {
                guard length <= options.maxBytes else { throw ServeError(.contentTooLarge, "body is larger than --max-bytes \(options.maxBytes)") }
                body.reserveCapacity(length)
            }
            for try await chunk in request.body {
                guard body.count + chunk.readableBytes <= options.maxBytes else {
                    throw ServeError(.contentTooLarge, "body is larger than --max-bytes \(options.maxBytes)")
                }
                guard budget.reserve(chunk.readableBytes) else { throw busy }
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            budget.release(body.count)
            throw error
        }
        guard !body.isEmpty else { throw ServeError(.badRequest, "empty body: send a JPEG or PNG image") }
        return body
    }

    /// Decodes and predicts --max-batch images at a time, all on the model current when it starts: the
    /// request holds one batch of decoded images (taken from the budget) while the model runs the previous one.
    private func predict(_ files: [MultipartFile]) async throws -> (ServedModel, PredictionBatcher.Scores) {
        let model = batcher.model
        let size = Dataset.cacheSize(forInput: model.inputSize)
        let batchBytes = 2 * min(files.count, options.maxBatch) * size.width * size.height * 3
        guard budget.reserve(batchBytes) else { throw busy }
        defer { budget.release(batchBytes) }
        var pixels = 0, scores: PredictionBatcher.Scores = []
        var running: Task<PredictionBatcher.Scores, any Error>?
        for start in stride(from: 0, to: files.count, by: options.maxBatch) {
            batcher.expect()
            let images: [RGBImage]
            do {
                (images, pixels) = try await decodeShrunk(files[start..<min(files.count, start + options.maxBatch)], for: model,
                                                          decoded: pixels, options: options)
            } catch {
                batcher.withdraw()
                _ = try? await running?.value
                throw (error as? ImageError).map { ServeError($0.reason.contains("over the limit") ? .contentTooLarge : .badRequest, $0.description) } ?? error
            }
            if let running { scores += try await running.value }
            running = Task { [batcher] in try await batcher.predict(images, on: model, announced: true) }
        }
        if let running { scores += try await running.value }
        return (model, scores)
    }
}
