/// The 64-bit difference hash (dHash) of an RGB image: its brightness averaged down to 9×8 cells, and one
/// bit per pair of horizontal neighbours, set when the left cell is brighter. Resizing, recompression and
/// small colour changes move few bits, so the Hamming distance between two hashes measures likeness.
public func differenceHash(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> UInt64 {
    var cells = [Double](repeating: 0, count: 72)
    var counts = [Double](repeating: 0, count: 72)
    // Box average: every pixel lands in exactly one of the 9×8 cells (images smaller than that repeat cells' neighbours).
    for y in 0..<height {
        let cy = y * 8 / height
        for x in 0..<width {
            let i = (y * width + x) * 3
            let luma = 0.299 * Double(pixels[i]) + 0.587 * Double(pixels[i + 1]) + 0.114 * Double(pixels[i + 2])
            let cell = cy * 9 + x * 9 / width
            cells[cell] += luma
            counts[cell] += 1
        }
    }
    for c in 0..<72 where counts[c] > 0 { cells[c] /= counts[c] }
    var hash: UInt64 = 0
    for row in 0..<8 {
        for column in 0..<8 where cells[row * 9 + column] > cells[row * 9 + column + 1] {
            hash |= 1 << UInt64(row * 8 + column)
        }
    }
    return hash
}

/// Bits in which two hashes differ.
@inline(__always)
public func hammingDistance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
