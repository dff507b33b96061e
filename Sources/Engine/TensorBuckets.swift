/// Many tensors packed one after another into flat host buffers, each bucket reduced by one call and
/// unpacked again: how a data-parallel job sums gradients (or broadcasts weights) across ranks with one
/// call per bucket rather than one per tensor, without a second copy of a large model's tensors at once.
extension Tensor {
    /// `tensors` with `reduce` applied to them packed in order into flat host tensors [floats] of at most
    /// `bucketFloats` floats (a tensor larger than that alone in a bucket of its own); each result has its
    /// tensor's shape and device and holds that tensor's stretch of its reduced bucket.
    public static func reducedInBuckets(_ tensors: [Tensor], bucketFloats: Int, _ reduce: (inout Tensor) -> Void) -> [Tensor] {
        var results: [Tensor] = [], start = 0
        results.reserveCapacity(tensors.count)
        while start < tensors.count {
            var end = start + 1, floats = tensors[start].count
            while end < tensors.count && floats + tensors[end].count <= bucketFloats {
                floats += tensors[end].count
                end += 1
            }
            var bucket = packed(tensors[start..<end], floats: floats)
            reduce(&bucket)
            results += unpacked(bucket, like: tensors[start..<end])
            start = end
        }
        return results
    }

    /// `tensors`' elements one after another in one host tensor [floats].
    private static func packed(_ tensors: ArraySlice<Tensor>, floats: Int) -> Tensor {
        var flat = Tensor(uninitialized: [floats])
        let to = flat.mutablePointer()
        var offset = 0
        for tensor in tensors {
            let host = tensor.to(.cpu)
            (to + offset).update(from: host.pointer, count: host.count)
            offset += host.count
        }
        return flat
    }

    /// The stretches of `flat` that `packed` filled from `originals`, as tensors of their shapes and devices.
    private static func unpacked(_ flat: Tensor, like originals: ArraySlice<Tensor>) -> [Tensor] {
        var offset = 0
        return originals.map { original in
            var part = Tensor(uninitialized: original.shape)
            part.mutablePointer().update(from: flat.pointer + offset, count: part.count)
            offset += part.count
            return part.to(original.device)
        }
    }
}

extension World {
    /// Sums `tensors` element-wise across every rank, in buckets of at most `bucketFloats` floats (one
    /// all-reduce each); every rank must give tensors of the same sizes in the same order.
    public func sum(_ tensors: [Tensor], bucketFloats: Int) -> [Tensor] {
        guard size > 1 else { return tensors }
        return Tensor.reducedInBuckets(tensors, bucketFloats: bucketFloats) { bucket in bucket.withUnsafeMutableBufferPointer { sum($0) } }
    }

    /// Rank 0's `tensors` on every rank, sent in buckets of at most `bucketFloats` floats; every rank must
    /// give tensors of the same sizes in the same order.
    public func broadcast(_ tensors: [Tensor], bucketFloats: Int) -> [Tensor] {
        guard size > 1 else { return tensors }
        return Tensor.reducedInBuckets(tensors, bucketFloats: bucketFloats) { bucket in bucket.withUnsafeMutableBufferPointer { broadcast($0) } }
    }
}
