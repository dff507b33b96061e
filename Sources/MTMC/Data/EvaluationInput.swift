import Engine
import Vision

/// Decoded images as evaluation sees its validation images: resized to the cache size (as the cache keeps
/// them), then to the input size, normalised; one batch [images, 3, height, width] on the host.
public func evaluationInput(_ images: [RGBImage], inputSize: (width: Int, height: Int), normalization: Normalization) -> Tensor {
    let cache = Dataset.cacheSize(forInput: inputSize)
    return Tensor(items: images.count, shape: [3, inputSize.height, inputSize.width]) { i, item in
        writeValidation(resized(images[i], width: cache.width, height: cache.height), width: inputSize.width, height: inputSize.height,
                        normalization: normalization, into: item.baseAddress!)
    }
}
