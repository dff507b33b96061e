/// Parts of a batch as tensors of their own, on the batch's device: what Mixup and CutMix build their
/// inputs from.
extension Tensor {
    /// The items along the first axis at `indices`, in that order (a batch's images reordered).
    public func selecting(_ indices: [Int]) throws -> Tensor {
        guard let items = shape.first else { throw EngineError.invalid("select", "a tensor without dimensions has no items") }
        if let bad = indices.first(where: { !(0..<items).contains($0) }) {
            throw EngineError.invalid("select", "index \(bad) is outside the \(items) items of \(describe(shape))")
        }
        return backend.gatherFirstAxis(inLayout(.nchw), indices)
    }

    /// `parts`, batches alike but in their number of items and on one device, one after another as one batch
    /// (a mixed batch's tasks' rows put back together).
    public init(concatenating parts: [Tensor]) throws {
        guard let first = parts.first, first.rank >= 1 else { throw EngineError.invalid("concatenate", "there must be at least one part with dimensions") }
        if let other = parts.first(where: { $0.rank != first.rank || $0.shape.dropFirst() != first.shape.dropFirst() }) {
            throw EngineError.shapeMismatch("concatenate", "the parts must be alike but in their first axis", first.shape, other.shape)
        }
        if let other = parts.first(where: { $0.device != first.device }) {
            throw EngineError.invalid("concatenate", "the parts must be on one device, not \(first.device) and \(other.device)")
        }
        self = first.backend.concatenateFirstAxis(parts)
    }

    /// This tensor with the window `rows` × `columns` of its last two axes (every image's and channel's plane)
    /// taken from `source`, a tensor of the same shape on the same device.
    public func pasting(_ source: Tensor, rows: Range<Int>, columns: Range<Int>) throws -> Tensor {
        guard rank >= 2, source.shape == shape, source.device == device else {
            throw EngineError.shapeMismatch("paste", "the source must have the tensor's shape and device", source.shape, shape)
        }
        guard rows.lowerBound >= 0, rows.upperBound <= shape[rank - 2], columns.lowerBound >= 0, columns.upperBound <= shape[rank - 1] else {
            throw EngineError.invalid("paste", "window \(rows) × \(columns) is outside the planes of \(describe(shape))")
        }
        return backend.pasteWindow(memory, from: source.inLayout(layout).memory, rows: rows, columns: columns).laidOut(as: layout)
    }
}
