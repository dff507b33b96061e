/// A 64-bit hash of an image's decoded pixels and declared size, for finding exact duplicates: equal
/// images hash equal; unequal ones almost never do, and groups are confirmed byte for byte after.
public func pixelHash(_ pixels: UnsafeBufferPointer<UInt8>, size: ImageSize) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: size.width &* 65_537 &+ size.height)
    @inline(__always) func mix(_ v: UInt64) {
        h = (h ^ v) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
    }
    let base = UnsafeRawPointer(pixels.baseAddress!)
    let words = pixels.count / 8
    // Eight bytes at a time (unaligned loads); the tail byte by byte.
    for w in 0..<words { mix(base.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self)) }
    for i in (words * 8)..<pixels.count { mix(UInt64(pixels[i]) | 0x100) }
    h ^= h >> 32
    return h &* 0xC4CE_B9FE_1A85_EC53
}
