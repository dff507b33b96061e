import Dispatch
import Vision

/// The decoding half of a load: files decoded and resized to the cache size on `threads` threads,
/// a range at a time, so that each range can be stored, written or checked before the next.
struct ParallelDecode {
    let files: [String]
    let decoder: ImageDecoder
    let width: Int
    let height: Int
    let threads: Int

    /// Decodes `range` in parallel; `transform` runs on the decoding thread (storing or encoding the
    /// image) and its result, or the image's error, comes back per file in order.
    func decode<T>(_ range: Range<Int>, _ transform: (Int, RGBImage) throws -> T) -> [Result<T, ImageError>] {
        let results = UnsafeMutableBufferPointer<Result<T, ImageError>?>.allocate(capacity: max(1, range.count))
        results.initialize(repeating: nil)
        defer {
            // The results hold arrays (a disk cache's payloads): released before the memory is, or they leak.
            _ = results.deinitialize()
            results.deallocate()
        }
        let parts = max(1, min(threads, range.count))
        withoutActuallyEscaping(transform) { transform in
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for i in (range.count * part / parts)..<(range.count * (part + 1) / parts) {
                    let index = range.lowerBound + i
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
        return (0..<range.count).map { results[$0]! }
    }
}
