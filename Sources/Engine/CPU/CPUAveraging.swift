/// Whole-tensor checks and averages over a model's parameters (the trainer's per-step bookkeeping).
extension CPUBackend {
    func firstNonFiniteTensor(_ tensors: [Tensor]) -> Int? {
        tensors.firstIndex { firstNonFinite($0) != nil }
    }

    func blendInPlace(_ average: inout Tensor, toward x: Tensor, keep: Float) {
        let a = average.mutablePointer(), n = average.count
        x.withUnsafeBufferPointer { w in
            for i in 0..<n { a[i] = keep * a[i] + (1 - keep) * w[i] }
        }
    }
}
