import Dispatch
import Vision

/// The decoding half of a load: files decoded and resized to the cache size on `threads` threads,
/// a batch of indices at a time, so that each batch can be stored, written or checked before the next.
struct ParallelDecode {
    let files: [String]
    let decoder: ImageDecoder
    let width: Int
    let height: Int
    let threads: Int

    /// Decodes the files `indices` in parallel; `transform` runs on the decoding thread (storing or encoding the
    /// image) and its result, or the image's error, comes back per file in order.
    func decode<T>(_ indices: [Int], _ transform: (Int, RGBImage) throws -> T) -> [Result<T, ImageError>] {
        let results = UnsafeMutableBufferPointer<Result<T, ImageError>?>.allocate(capacity: max(1, indices.count))
        results.initialize(repeating: nil)
        defer {
            // The results hold arrays (a disk cache's payloads): released before the memory is, or they leak.
            _ = results.deinitialize()
            results.deallocate()
        }
        let parts = max(1, min(threads, indices.count))
        withoutActuallyEscaping(transform) { transform in
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for i in (indices.count * part / parts)..<(indices.count * (part + 1) / parts) {
                    let index = indices[i]
                    do {
                        results[i] = .success(try transform(index, try decodeForCache(files[index], decoder: decoder, width: width, height: height)))
                    } catch let error as ImageError {
                        results[i] = .failure(error)
                    } catch {
                        results[i] = .failure(ImageError(path: files[index], reason: "\(error)"))
                    }
                }
            }
        }
        return (0..<indices.count).map { results[$0]! }
    }
}
