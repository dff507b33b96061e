// Eight-lane loads, stores and selects for the CPU kernels' hot loops (unaligned: tensors are
// addressed at any element offset).

@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ v: SIMD8<Float>) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Lane-wise max(a, b) as a blend (the standard library's pointwiseMax is many times slower; PLATFORM-NOTES).
@inline(__always)
func pointwiseMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: a .< b)
}

/// A (leaky) ReLU of negative slope `slope` on eight lanes: max(v, 0) + slope·min(v, 0), as CPUBackend.leakyReLU,
/// which also keeps −0 out of a ReLU.
@inline(__always)
func leakyReLU8(_ v: SIMD8<Float>, slope: Float) -> SIMD8<Float> {
    let zero = SIMD8<Float>()
    return pointwiseMax(v, zero) + SIMD8(repeating: slope) * v.replacing(with: zero, where: v .> zero)
}

/// Sixteen consecutive floats from p + i split into their even- and odd-indexed lanes (the left and
/// right columns of eight 2-wide windows).
@inline(__always)
func loadPairs8(_ p: UnsafePointer<Float>, _ i: Int) -> (even: SIMD8<Float>, odd: SIMD8<Float>) {
    let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    return (v.evenHalf, v.oddHalf)
}

/// The inverse of `loadPairs8`: even and odd lanes interleaved into sixteen floats at p + i.
@inline(__always)
func storePairs8(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ even: SIMD8<Float>, _ odd: SIMD8<Float>) {
    var v = SIMD16<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD16<Float>.self)
}
