/// An address in a device's memory, as the CUDA driver hands it out (a CUdeviceptr). It is a number the
/// device's kernels, copies and libraries take, not a host pointer: it cannot be dereferenced on the host,
/// and a host pointer cannot stand in for it, so host and device memory never mix by mistake.
struct DeviceAddress: Hashable {
    /// The CUdeviceptr's bits.
    let bits: UInt64

    init(bits: UInt64) {
        self.bits = bits
    }

    /// The address of the Float32 element `floats` elements further on.
    static func + (address: DeviceAddress, floats: Int) -> DeviceAddress {
        precondition(floats >= 0, "a device address is only ever advanced")
        return DeviceAddress(bits: address.bits + UInt64(floats * MemoryLayout<Float>.stride))
    }
}
