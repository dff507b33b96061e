import Foundation

/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64):
/// the same seed gives the same numbers on every machine.
public struct RandomGenerator: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / Double(1 << 53)), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

/// Weight initialisations with PyTorch's formulas (the numbers differ: the generator is ours).
public enum Initializer {
    /// U(-b, b) with b = 1/√fanIn: PyTorch's default for conv and linear weights (kaiming_uniform_, a = √5).
    public static func kaimingUniformDefault(shape: [Int], fanIn: Int, rng: inout RandomGenerator) -> Tensor {
        uniform(shape: shape, bound: 1 / Float(fanIn).squareRoot(), rng: &rng)
    }

    /// U(-1/√fanIn, 1/√fanIn): PyTorch's default for conv and linear biases.
    public static func biasUniform(count: Int, fanIn: Int, rng: inout RandomGenerator) -> Tensor {
        uniform(shape: [count], bound: 1 / Float(fanIn).squareRoot(), rng: &rng)
    }

    /// N(0, 2/fan) (kaiming_normal_ with ReLU gain); `fan` is fan-in or fan-out as the caller chooses.
    public static func kaimingNormal(shape: [Int], fan: Int, rng: inout RandomGenerator) -> Tensor {
        normal(shape: shape, std: (2 / Float(fan)).squareRoot(), rng: &rng)
    }

    /// U(-bound, bound).
    public static func uniform(shape: [Int], bound: Float, rng: inout RandomGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let p = t.mutablePointer()
        for i in 0..<t.count { p[i] = (rng.nextUniform() * 2 - 1) * bound }
        return t
    }

    /// N(0, std²).
    public static func normal(shape: [Int], std: Float, rng: inout RandomGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let p = t.mutablePointer()
        for i in 0..<t.count { p[i] = rng.nextNormal() * std }
        return t
    }
}

extension RandomGenerator {
    /// Fisher–Yates shuffle with this generator: the same seed gives the same order on every platform.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }

    /// A generator for one item of a stream, independent of the order in which items are made.
    public static func derived(seed: UInt64, _ parts: Int...) -> RandomGenerator {
        var mixed = seed
        for part in parts { mixed = (mixed ^ UInt64(bitPattern: Int64(part))) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019 }
        return RandomGenerator(seed: mixed)
    }
}
