import Foundation
import MTMC
import RequestParsing
import Vision

/// Where uploads are decoded: as many at once as there are processors (so at most that many full-size
/// images exist at a time), and never on the threads that serve connections.
private let decoding: OperationQueue = {
    let queue = OperationQueue()
    queue.name = "mtmc-decode"
    queue.maxConcurrentOperationCount = ProcessInfo.processInfo.activeProcessorCount
    return queue
}()

/// `files` decoded one after another, each shrunk as soon as it is decoded to no more than the size the
/// model reads (`predictLogits` resizes to that size, which leaves such an image as it is), so a request
/// keeps small images only, whatever their size on upload. `decoded` counts the pixels the request has
/// decoded so far (a JPEG decoded at a reduced scale counts at that scale); past --max-request-pixels the
/// request is refused.
func decodeShrunk(_ files: ArraySlice<MultipartFile>, for model: ServedModel, decoded: Int,
                  options: ServeOptions) async throws -> (images: [RGBImage], decoded: Int) {
    try await withCheckedThrowingContinuation { continuation in
        decoding.addOperation {
            continuation.resume(with: Result {
                let decoder = model.decoder(pixelLimit: options.maxPixels)
                let size = Dataset.cacheSize(forInput: model.inputSize)
                var decoded = decoded
                let images = try files.map { file in
                    guard !file.data.isEmpty else { throw ImageError(path: file.name, reason: "empty file (0 bytes)") }
                    let image = try decoder.decode(file.data, path: file.name)
                    decoded += image.width * image.height
                    guard decoded <= options.maxRequestPixels else {
                        throw ServeError(.contentTooLarge,
                                         "\(file.name): the request's images decode to more than --max-request-pixels \(options.maxRequestPixels) pixels")
                    }
                    return image.width <= size.width && image.height <= size.height ? image : resized(image, width: size.width, height: size.height)
                }
                return (images, decoded)
            })
        }
    }
}
