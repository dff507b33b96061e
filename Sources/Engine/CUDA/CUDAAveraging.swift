/// Whole-tensor checks and averages over a model's parameters on the device, so that a training step
/// reads back one flag instead of one value per parameter, and a weight average never leaves the device.
extension CUDABackend {
    func firstNonFiniteTensor(_ tensors: [Tensor]) -> Int? {
        guard !tensors.isEmpty else { return nil }
        // One int on the device, starting at the count: each tensor's kernel lowers it to its index.
        let flag = try! Tensor(shape: [1], values: [Float(bitPattern: UInt32(tensors.count))]).to(.cuda(device))
        for (index, t) in tensors.enumerated() {
            let t = here(t)
            run("flag_non_finite", elements: t.count, [t.address, flag.address, .int(index), .int(t.count)])
        }
        let index = Int(flag.scalar.bitPattern)
        return index < tensors.count ? index : nil
    }

    func blendInPlace(_ average: inout Tensor, toward x: Tensor, keep: Float) {
        average = here(average)
        let x = here(x), a = average.mutableDeviceAddress()
        run("blend", elements: x.count, [.address(a), x.address, .float(keep), .int(x.count)])
    }
}
