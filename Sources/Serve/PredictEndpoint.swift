import Commands
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import MTMC
import Vision

/// POST /predict: one image as the body, or several as multipart/form-data; the answer per image is
/// `mtmc predict --json`'s object (the same rendering code), an array for a multipart request.
struct PredictEndpoint: Sendable {
    let batcher: PredictionBatcher
    let options: ServeOptions

    static let imageTypes = ["image/jpeg", "image/png", "application/octet-stream"]

    func answer(_ request: Request) async -> Response {
        do {
            let threshold = try threshold(request.uri.queryParameters["threshold"].map(String.init))
            let type = request.headers[.contentType] ?? ""
            let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let multipart = mediaType == "multipart/form-data"
            guard multipart || mediaType.isEmpty || Self.imageTypes.contains(mediaType) else {
                throw ServeError(.unsupportedMediaType,
                                 "content type \(mediaType) is not accepted: send image/jpeg, image/png, application/octet-stream or multipart/form-data")
            }
            let body = try await collect(request)
            let files = multipart
                ? try multipartFiles(body, contentType: type)
                : [MultipartFile(name: request.uri.queryParameters["name"].map(String.init) ?? "upload", data: body)]
            guard !files.isEmpty else { throw ServeError(.badRequest, "multipart body has no parts: add at least one image") }
            let (model, scores) = try await predict(files)
            var report = PredictionReport()
            report.calibrated = !model.calibration.isEmpty
            report.results = zip(files, scores).map { ($0.name, $1) }
            let lines = report.jsonLines(threshold: threshold)
            let text = multipart ? "[" + lines.joined(separator: ",") + "]" : lines[0]
            return textResponse(text, type: "application/json", headers: [HTTPField.Name("X-Model-SHA256")!: model.sha256])
        } catch let error as ServeError {
            return error.response
        } catch {
            return ServeError(.internalServerError, "prediction failed: \(error)").response
        }
    }

    /// `?threshold=`: a calibrated confidence in [0, 1]; 0.5 without it.
    private func threshold(_ text: String?) throws -> Double {
        guard let text else { return 0.5 }
        guard let value = Double(text), (0...1).contains(value) else {
            throw ServeError(.badRequest, "threshold \(text) is not a number from 0 to 1")
        }
        return value
    }

    /// The whole body, refused past --max-bytes and when empty.
    private func collect(_ request: Request) async throws -> Data {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: options.maxBytes) } catch is NIOTooManyBytesError {
            throw ServeError(.contentTooLarge, "body is larger than --max-bytes \(options.maxBytes)")
        }
        guard buffer.readableBytes > 0 else { throw ServeError(.badRequest, "empty body: send a JPEG or PNG image") }
        return Data(buffer.readableBytesView)
    }

    /// Decodes every file here (in parallel with the batch the model is running), then waits for its batch.
    private func predict(_ files: [MultipartFile]) async throws -> (ServedModel, PredictionBatcher.Scores) {
        batcher.expect()
        let images: [RGBImage]
        do {
            let decoder = batcher.model.decoder(pixelLimit: options.maxPixels)
            images = try files.map { file in
                guard !file.data.isEmpty else { throw ImageError(path: file.name, reason: "empty file (0 bytes)") }
                return try decoder.decode(file.data, path: file.name)
            }
        } catch let error as ImageError {
            batcher.withdraw()
            throw ServeError(error.reason.contains("over the limit") ? .contentTooLarge : .badRequest, error.description)
        } catch {
            batcher.withdraw()
            throw error
        }
        return try await batcher.predict(images, announced: true)
    }
}
