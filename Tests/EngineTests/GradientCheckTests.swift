import Engine
import XCTest

/// Finite-difference checks: for L = Σ out·w (w random), the analytic gradient of every input
/// matches (L(x + h) − L(x − h)) / 2h, computed in Float32 with h = 1e-2.
final class GradientCheckTests: XCTestCase {
    private func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Initializer.normal(shape: shape, std: scale, rng: &rng)
    }

    /// Checks d(Σ f(inputs)·w)/d(input) for every input, at up to 12 positions per input.
    private func check(_ name: String, _ inputs: [Tensor], tolerance: Float = 2e-2,
                       _ f: ([Variable]) throws -> Variable, file: StaticString = #filePath, line: UInt = #line) throws {
        let variables = inputs.map { Variable($0, requiresGrad: true) }
        let out = try f(variables)
        let weights = random(out.shape, seed: 99)
        func loss(_ values: [Tensor]) throws -> Double {
            let y = try GradMode.withoutGradients { try f(values.map { Variable($0) }) }
            return zip(y.value.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        }
        try out.backward(seed: weights)
        for (index, input) in inputs.enumerated() {
            let analytic = try XCTUnwrap(variables[index].grad, "\(name): input \(index) got no gradient", file: file, line: line)
            let stride = max(1, input.count / 12)
            for position in Swift.stride(from: 0, to: input.count, by: stride) {
                let h: Float = 1e-2
                var plus = inputs, minus = inputs
                plus[index].withUnsafeMutableBufferPointer { $0[position] += h }
                minus[index].withUnsafeMutableBufferPointer { $0[position] -= h }
                let numeric = Float((try loss(plus) - loss(minus)) / Double(2 * h))
                let a = analytic.scalars[position]
                XCTAssertLessThanOrEqual(abs(a - numeric), tolerance * max(1, abs(numeric)),
                                         "\(name): input \(index)[\(position)] analytic \(a) vs numeric \(numeric)", file: file, line: line)
            }
        }
    }

    func testLinear() throws {
        try check("linear", [random([3, 5], seed: 1), random([4, 5], seed: 2), random([4], seed: 3)]) { try linear($0[0], $0[1], $0[2]) }
    }

    func testConv2DStrideAndPadding() throws {
        try check("conv2d", [random([2, 3, 7, 6], seed: 1), random([4, 3, 3, 3], seed: 2), random([4], seed: 3)]) {
            try conv2d($0[0], $0[1], $0[2], stride: (2, 2), padding: (1, 1))
        }
    }

    func testBatchNorm2DTraining() throws {
        try check("batch norm", [random([4, 3, 3, 3], seed: 1), random([3], seed: 2), random([3], seed: 3)]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: Variable(Tensor(zeros: [3])),
                          runningVar: Variable(Tensor(shape: [3], repeating: 1)), training: true)
        }
    }

    func testBatchNorm1DEvaluation() throws {
        try check("batch norm eval", [random([5, 4], seed: 1), random([4], seed: 2), random([4], seed: 3)]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: Variable(Tensor(zeros: [4])),
                          runningVar: Variable(Tensor(shape: [4], repeating: 2)), training: false)
        }
    }

    func testReLU() throws {
        try check("relu", [random([3, 7], seed: 4)]) { relu($0[0]) }
        try check("leaky relu", [random([3, 7], seed: 14)]) { leakyReLU($0[0], slope: 0.1) }
    }

    func testMaxPool() throws {
        try check("max pool", [random([2, 2, 6, 6], seed: 5)]) { try maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) }
    }

    func testAveragePools() throws {
        try check("avg pool", [random([2, 2, 7, 7], seed: 6)]) { try avgPool2d($0[0], kernel: 2, stride: 2, ceilMode: true, countIncludePad: false) }
        try check("global avg pool", [random([2, 3, 4, 5], seed: 7)]) { try globalAvgPool($0[0]) }
    }

    func testAddFlattenDropout() throws {
        try check("add", [random([2, 3], seed: 8), random([2, 3], seed: 9)]) { try add($0[0], $0[1]) }
        try check("flatten", [random([2, 3, 2, 2], seed: 10)]) { try flatten($0[0]) }
        let mask = try Tensor(shape: [2, 3], values: [1, 0, 1, 1, 1, 0])
        try check("dropout", [random([2, 3], seed: 11)]) { try dropout($0[0], mask: mask, p: 0.25) }
    }

    func testLogSoftmaxAndCrossEntropy() throws {
        try check("log softmax", [random([3, 5], seed: 12)]) { try logSoftmax($0[0]) }
        try check("cross entropy", [random([4, 3], seed: 13)]) { try crossEntropy($0[0], labels: [0, 2, 1, 2], labelSmoothing: 0.1) }
    }
}
