/// Copies that pick parts of a batch: whole items by index, batches one after another, and a window of every plane.
extension CPUBackend {
    func gatherFirstAxis(_ x: Tensor, _ indices: [Int]) -> Tensor {
        var shape = x.shape
        let item = x.count / max(1, shape[0])
        shape[0] = indices.count
        var y = Tensor(uninitialized: shape)
        let xp = x.pointer, yp = y.mutablePointer()
        for (to, from) in indices.enumerated() { (yp + to * item).update(from: xp + from * item, count: item) }
        return y
    }

    func concatenateFirstAxis(_ parts: [Tensor]) -> Tensor {
        var y = Tensor(uninitialized: [parts.reduce(0) { $0 + $1.shape[0] }] + parts[0].shape.dropFirst())
        var to = y.mutablePointer()
        for part in parts {
            to.update(from: part.pointer, count: part.count)
            to += part.count
        }
        return y
    }

    func pasteWindow(_ x: Tensor, from source: Tensor, rows: Range<Int>, columns: Range<Int>) -> Tensor {
        var y = x
        let (height, width) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
        let planes = x.count / max(1, height * width), sp = source.pointer, yp = y.mutablePointer()
        guard !columns.isEmpty else { return y }
        for plane in 0..<planes {
            for row in rows {
                let at = (plane * height + row) * width + columns.lowerBound
                (yp + at).update(from: sp + at, count: columns.count)
            }
        }
        return y
    }
}
