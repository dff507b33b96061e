import Engine
import XCTest

final class OptimizerTests: XCTestCase {
    func testNonFiniteGradientStopsTheStepAndLeavesEveryWeightUnchanged() throws {
        let a = Variable(try Tensor(shape: [2], values: [1, 2]), requiresGrad: true)
        let b = Variable(try Tensor(shape: [2], values: [3, 4]), requiresGrad: true)
        let sgd = SGD(parameters: [NamedVariable(name: "a", variable: a), NamedVariable(name: "heads.0.embed.weight", variable: b)])
        a.grad = try Tensor(shape: [2], values: [1, 1])
        b.grad = try Tensor(shape: [2], values: [.nan, 1])
        XCTAssertThrowsError(try sgd.step(SGDHyperparameters(learningRate: 0.1, momentum: 0.9))) { error in
            XCTAssertEqual("\(error)", "SGD step: gradient of heads.0.embed.weight [2] holds nan; no parameter was changed")
        }
        XCTAssertEqual(a.value.scalars, [1, 2])
        XCTAssertEqual(b.value.scalars, [3, 4])
    }

    func testBiasAndNormExemptionSkipsWeightDecayOnThem() throws {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear(2, 2, rng: &rng)
        let norm = BatchNorm(2)
        let params = layer.namedParameters() + norm.namedParameters()
        let before = params.map { $0.variable.value.scalars }
        let sgd = SGD(parameters: params)
        for p in params { p.variable.grad = Tensor(zeros: p.variable.shape) }
        try sgd.step(SGDHyperparameters(learningRate: 1, weightDecay: 0.5, exemptBiasAndNormFromDecay: true))
        for (p, old) in zip(params, before) {
            let expected = p.variable === layer.weight ? old.map { $0 * 0.5 } : old
            XCTAssertEqual(p.variable.value.scalars, expected, p.name)
        }
    }

    func testMomentumStateRoundTripsByName() throws {
        let w = Variable(try Tensor(shape: [2], values: [1, 1]), requiresGrad: true)
        let sgd = SGD(parameters: [NamedVariable(name: "w", variable: w)])
        w.grad = try Tensor(shape: [2], values: [1, 2])
        try sgd.step(SGDHyperparameters(learningRate: 0.1, momentum: 0.9))
        let saved = Dictionary(uniqueKeysWithValues: sgd.state().map { ($0.name, $0.tensor) })
        XCTAssertEqual(saved["momentum_buffer.w"]?.scalars, [1, 2])
        let restored = SGD(parameters: [NamedVariable(name: "w", variable: w)])
        try restored.loadState(saved)
        XCTAssertEqual(restored.state().first?.tensor.scalars, [1, 2])
        XCTAssertThrowsError(try restored.loadState(["momentum_buffer.w": Tensor(zeros: [3])])) { error in
            XCTAssertEqual("\(error)", "SGD state: momentum buffer of w: [3] vs [2]")
        }
    }

    func testStepDecayCosineAndWarmUpRates() {
        let step = LearningRateSchedule(base: 0.1, decay: .step(every: 30, gamma: 0.1))
        XCTAssertEqual(step.rate(epoch: 29, step: 9, stepsPerEpoch: 10), 0.1)
        XCTAssertEqual(step.rate(epoch: 30, step: 0, stepsPerEpoch: 10), 0.01, accuracy: 1e-9)
        XCTAssertEqual(step.rate(epoch: 65, step: 0, stepsPerEpoch: 10), 0.001, accuracy: 1e-9)

        let cosine = LearningRateSchedule(base: 0.2, decay: .cosine(totalEpochs: 10, minimum: 0), warmupEpochs: 2)
        XCTAssertEqual(cosine.rate(epoch: 0, step: 0, stepsPerEpoch: 4), 0.025, accuracy: 1e-7)   // 1/8 of warm-up
        XCTAssertEqual(cosine.rate(epoch: 1, step: 3, stepsPerEpoch: 4), 0.2, accuracy: 1e-7)     // warm-up done
        XCTAssertEqual(cosine.rate(epoch: 5, step: 3, stepsPerEpoch: 4), 0.1, accuracy: 1e-6)     // half way: 6 of 10
        XCTAssertEqual(cosine.rate(epoch: 9, step: 3, stepsPerEpoch: 4), 0, accuracy: 1e-7)       // end
        XCTAssertEqual(LearningRateSchedule(base: 0.3).rate(epoch: 100, step: 0, stepsPerEpoch: 1), 0.3)
    }
}
