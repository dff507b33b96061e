import Engine
import XCTest

final class AutodiffTests: XCTestCase {
    func testAVariableUsedTwiceReceivesBothGradients() throws {
        let x = Variable(try Tensor(shape: [3], values: [1, -2, 3]), requiresGrad: true)
        let y = try add(x, x)
        try y.backward()
        XCTAssertEqual(x.grad?.scalars, [2, 2, 2])
    }

    func testGradientsAccumulateAcrossBackwardPassesUntilZeroed() throws {
        let w = Variable(try Tensor(shape: [1, 2], values: [1, 1]), requiresGrad: true)
        let x = Variable(try Tensor(shape: [1, 2], values: [3, 4]))
        let sgd = SGD(parameters: [NamedVariable(name: "w", variable: w)])
        for _ in 0..<2 { try linear(x, w, nil).backward() }
        XCTAssertEqual(w.grad?.scalars, [6, 8])
        sgd.zeroGrad()
        XCTAssertNil(w.grad)
        XCTAssertNil(x.grad, "inputs that do not require gradients get none")
    }

    func testNoGradModeRecordsNothing() throws {
        let w = Variable(try Tensor(shape: [1, 2], values: [1, 1]), requiresGrad: true)
        let x = Variable(try Tensor(shape: [1, 2], values: [3, 4]))
        let y = try GradMode.withoutGradients { try linear(x, w, nil) }
        XCTAssertEqual(y.value.scalars, [7])
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.backward()) { error in
            XCTAssertEqual("\(error)", "backward: this value does not depend on any parameter that requires gradients")
        }
    }

    func testFrozenParametersGetNoGradientWhileOthersDo() throws {
        let frozen = Variable(try Tensor(shape: [2, 2], values: [1, 0, 0, 1]), requiresGrad: false)
        let head = Variable(try Tensor(shape: [1, 2], values: [1, 2]), requiresGrad: true)
        let x = Variable(try Tensor(shape: [1, 2], values: [5, 6]))
        try linear(try linear(x, frozen, nil), head, nil).backward()
        XCTAssertNil(frozen.grad)
        XCTAssertEqual(head.grad?.scalars, [5, 6])
    }

    func testBackwardSeedMustMatchTheValueShape() throws {
        let w = Variable(Tensor(zeros: [2, 2]), requiresGrad: true)
        let y = try linear(Variable(Tensor(zeros: [1, 2])), w, nil)
        XCTAssertThrowsError(try y.backward(seed: Tensor(zeros: [3]))) { error in
            XCTAssertEqual("\(error)", "backward: seed gradient shape differs from the value: [3] vs [1, 2]")
        }
    }

    func testDropoutLayerIsIdentityInEvaluationAndDropsAboutPInTraining() throws {
        let layer = Dropout(p: 0.25, seed: 3)
        let x = Variable(Tensor(shape: [100, 100], repeating: 1))
        let kept = try layer(x).value.scalars.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10_000, 0.75, accuracy: 0.02)
        XCTAssertEqual(kept.first, 1 / 0.75)
        layer.setTraining(false)
        XCTAssertEqual(try layer(x).value.scalars, x.value.scalars)
    }
}
