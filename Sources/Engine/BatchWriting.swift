import Dispatch

extension Tensor {
    /// A host batch [count] + `item` whose item i `write(i, elements)` fills in place: `elements` is that
    /// item's own stretch of the batch's storage (zeros until written), so an image is decoded and
    /// normalised straight into the batch, with no copy. Items go in contiguous runs to `threads` threads
    /// of Dispatch's own (not the engine's workers, so a batch can be made while the engine computes);
    /// `write` must therefore touch nothing but its item and what it alone owns.
    public init(items count: Int, shape item: [Int], threads: Int = 1, writing write: (Int, UnsafeMutableBufferPointer<Float>) -> Void) {
        self.init(zeros: [count] + item)
        let size = Tensor.elementCount(item), parts = max(1, min(threads, count))
        let base = mutablePointer()
        // Item i owns floats [i·size, (i + 1)·size), so the parts never overlap.
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            for i in (count * part / parts)..<(count * (part + 1) / parts) {
                write(i, UnsafeMutableBufferPointer(start: base + i * size, count: size))
            }
        }
    }
}
